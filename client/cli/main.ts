#!/usr/bin/env node
// The `procd` CLI: a table of commands, each loaded only when used so `procd ls` starts fast.

import { parseArgs } from 'node:util';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { VERSION } from '../../shared/version.js';
import { connect, type ProcdClient } from '../index.js';
import type { CommandDef } from './command.js';
import { EXIT, ExitError } from './exit-codes.js';
import { createOutput } from './output.js';

const COMMANDS: Record<string, () => Promise<{ command: CommandDef }>> = {
  track: () => import('./commands/track.js'),
  ls: () => import('./commands/ls.js'),
  status: () => import('./commands/status.js'),
  logs: () => import('./commands/logs.js'),
  kill: () => import('./commands/kill.js'),
  signal: () => import('./commands/signal.js'),
  wait: () => import('./commands/wait.js'),
  rm: () => import('./commands/rm.js'),
  prune: () => import('./commands/prune.js'),
  events: () => import('./commands/events.js'),
  cleanup: () => import('./commands/cleanup.js'),
  adopt: () => import('./commands/adopt.js'),
  daemon: () => import('./commands/daemon.js'),
  service: () => import('./commands/service.js'),
};
const ALIASES: Record<string, string> = { list: 'ls', start: 'track', run: 'track', stop: 'kill', log: 'logs' };

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'no-autostart': { type: 'boolean' },
} as const;

const GLOBAL_HELP = `procd ${VERSION} — a process supervisor that never leaves a process behind

Usage: procd <command> [options]

Commands:
  track [opts] -- CMD [ARGS...]   start a command under supervision (alias: start, run)
  ls                              list jobs (alias: list)
  status ID|NAME                  every field of one job
  logs ID|NAME                    a job's output (--follow, --tail, --since, --stream)
  kill ID|NAME...                 stop jobs and everything they spawned (alias: stop)
  signal ID|NAME SIG              send a signal to a whole job, no escalation
  wait ID|NAME...                 wait for jobs to end; exits with the job's code
  rm ID|NAME...                   remove finished jobs and their output
  prune [--older-than D]          remove old finished jobs
  events                          live lifecycle events, one per line
  cleanup [--dry-run]             kill leftovers, report zombies, prune old records
  adopt PID                       supervise a process procd did not start
  daemon start|stop|restart|status|run
  service install|uninstall|status  run the daemon as a systemd/launchd user service

Global options: --json (machine output), --no-autostart, -h/--help
Exit codes: 0 ok, 1 error, 2 usage, 124 wait timed out; commands that wait for a job exit with its code.
Run \`procd <command> --help\` for a command's options and examples.`;

function helpFor(cmd: CommandDef): string {
  const lines = [`Usage: ${cmd.usage}`, '', cmd.summary, ''];
  if (cmd.optionHelp.length) lines.push('Options:', ...cmd.optionHelp.map((l) => `  ${l}`));
  lines.push('  --json                  machine-readable output', '  --no-autostart          do not start the daemon if it is not running', '  -h, --help              this help');
  if (cmd.examples.length) lines.push('', 'Examples:', ...cmd.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic && (COMMANDS[topic] || ALIASES[topic])) return main([topic, '--help']);
    process.stdout.write(`${GLOBAL_HELP}\n`);
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const name = ALIASES[first] ?? first;
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`procd: unknown command "${first}"\n\n${GLOBAL_HELP}\n`);
    return EXIT.usage;
  }
  const { command } = await load();
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    if (command.noPositionals && parsed.positionals.length) throw new Error(`unexpected argument "${parsed.positionals[0]}" (this command takes options only)`);
  } catch (err) {
    process.stderr.write(`procd ${command.name}: ${(err as Error).message}\nRun \`procd ${command.name} --help\` for usage.\n`);
    return EXIT.usage;
  }
  // --json counts only as procd's own option: after `--` it belongs to the job's command.
  const out = createOutput(parsed.values.json === true);
  if (parsed.values.help) {
    out.out(helpFor(command));
    return EXIT.ok;
  }
  const connectOptions = parsed.values['no-autostart'] ? { autostart: false } : {};
  let client: ProcdClient | null = null;
  const getClient = async () => {
    if (client) return client;
    client = await connect(connectOptions);
    if (client.versionWarning && !out.json) out.err(`procd: warning: ${client.versionWarning}`);
    return client;
  };
  const reconnect = async () => {
    (client as ProcdClient | null)?.close();
    client = null;
    return getClient();
  };
  try {
    return await command.run({ values: parsed.values, positionals: parsed.positionals, out, client: getClient, reconnect });
  } catch (err) {
    return reportError(err, command.name, out.json);
  } finally {
    (client as ProcdClient | null)?.close();
  }
}

function reportError(err: unknown, commandName: string, json: boolean): number {
  if (err instanceof ExitError) {
    if (err.message) process.stderr.write(`procd ${commandName}: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof ProcdError) {
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: err.code, name: err.codeName, message: err.message, data: err.data } }, null, 2)}\n`);
    process.stderr.write(`procd ${commandName}: ${err.message} [${err.codeName} ${err.code}]\n`);
    // Bad input on the command line (a field, a signal name) is a usage error, like a bad option.
    return err.code === ErrorCode.InvalidParams || err.code === ErrorCode.BadSignal ? EXIT.usage : EXIT.error;
  }
  process.stderr.write(`procd ${commandName}: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
  return EXIT.error;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`procd: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT.error;
  },
);
