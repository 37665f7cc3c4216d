// What a CLI command is: a spec (name, aliases, positionals, options, help, examples: in the
// method table, shared/methods.ts, or cli-only.ts) plus a plain async function in
// commands/<name>.ts that presents the call's answer. main.ts derives the command list from the specs.

import type { PrefetchCall, ProcdClient } from '../index.js';
import type { Output } from './output.js';

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  values: OptionValues;
  positionals: string[];
  out: Output;
  /**
   * Connects to the daemon (autostarting it unless --no-autostart / PROCD_NO_AUTOSTART). The first
   * connect may send read-only calls the command is about to make right behind hello (`prefetch`).
   */
  client(prefetch?: PrefetchCall[]): Promise<ProcdClient>;
  /** Drops the connection and opens a new one the same way (see client/reconnect.ts). */
  reconnect(): Promise<ProcdClient>;
}

/** A command's presentation: parse what the spec's options gave, call, print, return the exit code. */
export interface CommandDef {
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
