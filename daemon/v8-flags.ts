// V8 tuned for the daemon: a long-lived process that mostly waits, where memory matters more than
// the last bit of speed. Applied by daemon/main.ts at start, before the daemon's modules load, so
// it holds however the daemon was started (autostart, `procd daemon run`, a service unit) without
// flags on node's command line. `--optimize-for-size` keeps V8's heap close to what is live (a
// smaller growing factor, earlier GCs): with 100 running jobs the daemon's PSS is ~11 MiB lower
// (22.7 vs 34.3 MiB here, Node 20; 68 vs 80 MiB on Node 22, 72 vs 82 on Node 24 from the npm
// binary) and start 100 / a 100-job sampling tick cost no more CPU within the noise
// (README "Benchmarks"). Semi-space limits (--max-semi-space-size) do nothing once V8 is running.

import { setFlagsFromString } from 'node:v8';

export const DEFAULT_V8_FLAGS: readonly string[] = ['--optimize-for-size'];

/**
 * The flags to apply: PROCD_V8_FLAGS (space-separated `--flags`; `none` for V8's defaults) or
 * the defaults. A value that is not a list of `--flags` is not applied: the defaults are, with a
 * warning (for the log and `procd daemon status`).
 */
export function v8FlagsFromEnv(env: NodeJS.ProcessEnv): { flags: string[]; warning: string | null } {
  const text = env.PROCD_V8_FLAGS?.trim();
  if (text === undefined || text === '') return { flags: [...DEFAULT_V8_FLAGS], warning: null };
  if (text === 'none') return { flags: [], warning: null };
  const flags = text.split(/\s+/);
  if (flags.every((f) => /^--[a-z0-9][a-z0-9_-]*(=[^\s]+)?$/i.test(f))) return { flags, warning: null };
  return { flags: [...DEFAULT_V8_FLAGS], warning: `PROCD_V8_FLAGS=${text} is not "none" or a list of --flags; the defaults (${DEFAULT_V8_FLAGS.join(' ')}) are used` };
}

/** Applies the flags to this process's V8 (before most of the daemon's code is loaded). */
export function applyV8Flags(flags: readonly string[]): void {
  for (const flag of flags) setFlagsFromString(flag);
}
