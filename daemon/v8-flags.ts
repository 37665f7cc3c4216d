// V8 tuned for the daemon: a long-lived process that mostly waits, where memory matters more than
// the last bit of speed. Applied by daemon/main.ts at start, before the daemon's modules load, so
// it holds however the daemon was started (autostart, `procd daemon run`, a service unit) without
// flags on node's command line. `--semi-space-growth-factor=1` keeps the young generation at its
// initial size (2 MiB) where a burst of requests (100 `track` calls) grows it to 16 MiB for good:
// with 100 running jobs the daemon's PSS is 23–26 MiB instead of 33–37 (Node 20), the same on
// Node 22 and 24, at no visible CPU cost for start 100 or the sampling tick (README "Benchmarks").
// Measured and not taken: `--optimize-for-size` saved as much but cost ~30% more CPU per sampling
// tick; `--max-semi-space-size` takes no effect once V8 runs.

import { setFlagsFromString } from 'node:v8';

export const DEFAULT_V8_FLAGS: readonly string[] = ['--semi-space-growth-factor=1'];

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
