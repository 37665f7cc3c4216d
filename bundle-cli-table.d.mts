// Types of bundle-cli-table.mjs for the tests that import it.
import type { CliOption, CliSpec, MethodSpec } from './shared/method-spec.js';

/** A hot command's CLI spec as the bin carries it: what parsing reads, no help text. */
export type HotCliSpec = Omit<CliSpec, 'brief' | 'summary' | 'usage' | 'examples' | 'options'> & { options: Record<string, Omit<CliOption, 'help'>> };

export const HOT_COMMANDS: string[];
export function loadMethodsModule(repo: string): Promise<Record<string, unknown>>;
export function hotTable(specs: Readonly<Record<string, MethodSpec>>, hot?: readonly string[]): Record<string, Omit<MethodSpec, 'doc' | 'cli'> & { cli?: HotCliSpec }>;
export function hotCliSpec(cli: CliSpec): HotCliSpec;
export function hotMethodsSource(mod: Readonly<Record<string, unknown>>, hot?: readonly string[]): string;
