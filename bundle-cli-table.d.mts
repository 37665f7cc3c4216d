// Types of bundle-cli-table.mjs for the tests that import it.
import type { MethodSpec } from './shared/method-spec.js';

export const HOT_COMMANDS: string[];
export function loadMethodsModule(repo: string): Promise<Record<string, unknown>>;
export function hotTable(specs: Readonly<Record<string, MethodSpec>>, hot?: readonly string[]): Record<string, Omit<MethodSpec, 'doc'>>;
export function hotMethodsSource(mod: Readonly<Record<string, unknown>>, hot?: readonly string[]): string;
