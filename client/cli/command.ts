// What a CLI command is: a plain async function with typed options, plus its help text.
// main.ts is only a table of these; each lives in commands/<name>.ts.

import type { ParseArgsConfig } from 'node:util';
import type { ProcdClient } from '../index.js';
import type { Output } from './output.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  out: Output;
  /** Connects to the daemon (autostarting it unless --no-autostart / PROCD_NO_AUTOSTART). */
  client(): Promise<ProcdClient>;
  /** Drops the connection and opens a new one the same way (see client/reconnect.ts). */
  reconnect(): Promise<ProcdClient>;
}

export interface CommandDef {
  name: string;
  aliases?: string[];
  summary: string;
  usage: string;
  /** Lines describing each option, shown by --help. */
  optionHelp: string[];
  examples: string[];
  options: OptionSpecs;
  /** Commands that take no positional arguments say so: a stray word is then a usage error, not ignored. */
  noPositionals?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

export function str(values: OptionValues, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

export function strs(values: OptionValues, key: string): string[] {
  const v = values[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

export function flag(values: OptionValues, key: string): boolean {
  return values[key] === true;
}
