// What makes two specs "the same job" for `track --ensure`: the fields that change what runs or
// how procd runs it. A pure function, so the rule is one table test (test/unit/jobs/spec-diff.test.ts).
//
// Compared: the command (argv, or shell and script), cwd, env (less the variables a shell changes
// on its own), kind, timeout, output cap, stop signal and grace, limits, restart policy, probes,
// queue group. Not compared: the owner, name, description and tags (labels), the stuck and
// time-sink thresholds (they raise flags, they change nothing that runs), priority (queue order
// only), dependencies (resolved to the jobs of the moment) and where it was declared.

import { formatBytes, formatDuration } from '../../shared/duration.js';
import { commandText, type JobSpec } from '../../shared/job.js';
import { DEFAULT_GROUP } from '../../shared/queue.js';
import { OWNER_ENV } from '../../shared/owner.js';

/** One field that differs: its name (`env.PORT` for a variable), the live job's value and the asked one, for display. */
export interface SpecDifference {
  field: string;
  old: string;
  new: string;
}

/**
 * Variables of the shell, the terminal and the login session (and the owner's label): the CLI sends
 * its whole environment, and two terminals of one user differ in these while the job is the same
 * (a tmux pane, the window size, an SSH connection).
 */
export const VOLATILE_ENV: readonly string[] = [
  '_', 'OLDPWD', 'PWD', 'SHLVL', OWNER_ENV, 'PS1', 'PROMPT_COMMAND',
  'COLUMNS', 'LINES', 'TERM', 'COLORTERM', 'TERM_PROGRAM', 'TERM_PROGRAM_VERSION', 'TERM_SESSION_ID', 'WINDOWID', 'WINDOW', 'STY', 'TMUX', 'GPG_TTY',
  'DISPLAY', 'WAYLAND_DISPLAY', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_VTNR', 'SECURITYSESSIONID',
];
/** Prefixes of the same: a terminal's or a session's own variables (TMUX_PANE, SSH_TTY, KITTY_WINDOW_ID, …). */
export const VOLATILE_ENV_PREFIXES: readonly string[] = ['TMUX_', 'SSH_', 'XDG_SESSION_', 'KITTY_', 'ITERM_', 'VTE_', 'KONSOLE_', 'ALACRITTY_', 'WEZTERM_', 'WT_', 'GNOME_TERMINAL_', 'VSCODE_'];

export function isVolatileEnv(name: string): boolean {
  return VOLATILE_ENV.includes(name) || VOLATILE_ENV_PREFIXES.some((p) => name.startsWith(p));
}

/** Listed one by one up to this many; the rest are counted. */
const MAX_ENV_SHOWN = 10;
const MAX_TEXT = 120;

/** The fields in which `asked` differs from the live job's `live` spec, in a fixed order; empty: the same job. */
export function specDifferences(live: JobSpec, asked: JobSpec): SpecDifference[] {
  const out: SpecDifference[] = [];
  // Compared by value, shown in a readable form (two values may read alike: 1500 ms and 1501 ms).
  const field = <T>(name: string, a: T, b: T, show: (value: T) => string = json) => {
    if (json(a) !== json(b)) out.push({ field: name, old: clip(show(a)), new: clip(show(b)) });
  };
  field('command', commandKey(live), commandKey(asked), () => '');
  if (out.length) out[0] = { field: 'command', old: clip(commandText(live.command)), new: clip(commandText(asked.command)) };
  field('cwd', live.cwd, asked.cwd, String);
  out.push(...envDifferences(live.env, asked.env));
  field('kind', live.kind, asked.kind, String);
  field('timeout', live.timeoutMs, asked.timeoutMs, (ms) => msText(ms));
  field('maxOutput', live.maxOutputBytes, asked.maxOutputBytes, formatBytes);
  field('stopSignal', live.stopSignal, asked.stopSignal, String);
  field('grace', live.stopGraceMs, asked.stopGraceMs, (ms) => msText(ms, 'default'));
  field('limits', live.limits, asked.limits);
  field('restart', live.restart, asked.restart);
  field('probes.ready', live.probes?.ready, asked.probes?.ready);
  field('probes.alive', live.probes?.alive, asked.probes?.alive);
  field('group', live.group ?? DEFAULT_GROUP, asked.group ?? DEFAULT_GROUP, String);
  return out;
}

/** What `--ensure` without a name matches on: the command and the cwd. */
export function sameSignature(a: JobSpec, b: JobSpec): boolean {
  return commandKey(a) === commandKey(b) && a.cwd === b.cwd;
}

/** `cwd: /a → /b; env.PORT: set → another value` — the message's list. */
export function differencesText(diffs: readonly SpecDifference[]): string {
  return diffs.map((d) => `${d.field}: ${d.old} → ${d.new}`).join('; ');
}

/** Values are never shown (they may be tokens): only whether a variable is set, gone or changed. */
function envDifferences(live: Record<string, string>, asked: Record<string, string>): SpecDifference[] {
  const keys = [...new Set([...Object.keys(live), ...Object.keys(asked)])].filter((k) => !isVolatileEnv(k) && live[k] !== asked[k]).sort();
  const shown = keys.slice(0, MAX_ENV_SHOWN).map((k) => ({
    field: `env.${k}`,
    old: live[k] === undefined ? 'unset' : 'set',
    new: asked[k] === undefined ? 'unset' : live[k] === undefined ? 'set' : 'another value',
  }));
  const more = keys.length - shown.length;
  return more > 0 ? [...shown, { field: 'env', old: `${more} more variable${more === 1 ? '' : 's'}`, new: 'differ' }] : shown;
}

/** The command without what is only display (an adopted process's group lead). */
function commandKey(spec: JobSpec): string {
  const c = spec.command;
  return c.kind === 'shell' ? JSON.stringify([c.kind, c.shell, c.script]) : JSON.stringify([c.kind, ...c.argv]);
}

function msText(ms: number | null, none = 'none'): string {
  return ms === null ? none : formatDuration(ms);
}

/** Objects compared and shown with their keys sorted, so the order fields were filled in does not matter. */
function json(value: unknown): string {
  if (value === undefined) return 'none';
  return JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}

function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT - 1)}…`;
}
