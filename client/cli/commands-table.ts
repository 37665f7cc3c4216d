// The CLI's command list, derived from the specs: every method of the table with a `cli` spec,
// plus the CLI-only commands. The loaders stay explicit (a bundler follows them, and a spec without
// its presentation file is a compile error); each command is loaded only when used.

import type { CliSpec } from '../../shared/method-spec.js';
import { METHOD_SPECS, type MethodName, type MethodSpecs } from '../../shared/methods.js';
import { CLI_ONLY_SPECS } from './cli-only.js';
import type { CommandDef } from './command.js';

export { commandHelp, optionLine } from './command-help.js';

type MethodCommand = { [M in MethodName]: MethodSpecs[M] extends { cli: { command: infer C extends string } } ? C : never }[MethodName];
export type CommandName = MethodCommand | keyof typeof CLI_ONLY_SPECS;

export type Loader = () => Promise<{ command: CommandDef }>;
const LOADERS: Record<CommandName, Loader> = {
  track: () => import('./commands/track.js'),
  ls: () => import('./commands/ls.js'),
  status: () => import('./commands/status.js'),
  logs: () => import('./commands/logs.js'),
  kill: () => import('./commands/kill.js'),
  signal: () => import('./commands/signal.js'),
  pause: () => import('./commands/pause.js'),
  resume: () => import('./commands/resume.js'),
  restart: () => import('./commands/restart.js'),
  priority: () => import('./commands/priority.js'),
  progress: () => import('./commands/progress.js'),
  group: () => import('./commands/group.js'),
  history: () => import('./commands/history.js'),
  wait: () => import('./commands/wait.js'),
  rm: () => import('./commands/rm.js'),
  prune: () => import('./commands/prune.js'),
  trends: () => import('./commands/trends.js'),
  adopt: () => import('./commands/adopt.js'),
  release: () => import('./commands/release.js'),
  cleanup: () => import('./commands/cleanup.js'),
  analyze: () => import('./commands/analyze.js'),
  stats: () => import('./commands/stats.js'),
  events: () => import('./commands/events.js'),
  daemon: () => import('./commands/daemon.js'),
  service: () => import('./commands/service.js'),
  up: () => import('./commands/up.js'),
  down: () => import('./commands/down.js'),
  audit: () => import('./commands/audit.js'),
  ports: () => import('./commands/ports.js'),
  discover: () => import('./commands/discover.js'),
  metrics: () => import('./commands/metrics.js'),
  mcp: () => import('./commands/mcp.js'),
  dashboard: () => import('./commands/dashboard.js'),
  top: () => import('./top/command.js'),
};

export interface CommandEntry {
  spec: CliSpec;
  load: Loader;
}

/** Every command in help order: the methods' in table order, then the CLI-only ones. */
export const COMMANDS: readonly CommandEntry[] = [
  ...Object.values(METHOD_SPECS).flatMap((m): CliSpec[] => ('cli' in m ? [m.cli] : [])),
  ...Object.values(CLI_ONLY_SPECS),
].map((spec) => ({ spec, load: LOADERS[spec.command as CommandName] }));

const BY_NAME = new Map<string, CommandEntry>(COMMANDS.flatMap((c) => [c.spec.command, ...(c.spec.aliases ?? [])].map((n) => [n, c] as const)));

/** A command by its name or one of its aliases. */
export function findCommand(word: string): CommandEntry | undefined {
  return BY_NAME.get(word);
}

/** The command list of `procd --help`. */
export function commandList(): string[] {
  const rows = COMMANDS.map(({ spec }) => {
    const left = `${spec.command}${spec.positionals ? ` ${spec.positionals}` : ''}`;
    const aliases = spec.aliases?.length ? ` (alias: ${spec.aliases.join(', ')})` : '';
    return [left, `${spec.brief}${aliases}`] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}   ${right}`);
}
