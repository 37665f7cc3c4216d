#!/usr/bin/env node
// The `procd` CLI: its commands, aliases and help come from the specs (commands-table.ts); each
// command's presentation is loaded only when used so `procd ls` starts fast.

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { VERSION } from '../../shared/version.js';
import { connect, type ConnectOptions, type ProcdClient } from '../index.js';
import { parseCommandArgs, wantsJson } from './args.js';
import { commandHelp, commandList, findCommand } from './commands-table.js';
import { EXIT, ExitError } from './exit-codes.js';
import { createOutput } from './output.js';

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'no-autostart': { type: 'boolean' },
} as const;
/** Where a job's own options go, said after an unknown option of a command that runs one. */
const JOB_ARGS_HINT = "options of the job's command go after --, as in procd track [options] -- CMD ARGS";

const globalHelp = () => `procd ${VERSION} — a process supervisor that never leaves a process behind

Usage: procd <command> [options]

Commands:
${commandList().join('\n')}

Global options: --json (machine output), --no-autostart, -h/--help
Exit codes: 0 ok, 1 error, 2 usage, 124 wait timed out; commands that wait for a job exit with its code.
Run \`procd <command> --help\` for a command's options and examples.`;

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic && findCommand(topic)) return main([topic, '--help']);
    process.stdout.write(`${globalHelp()}\n`);
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const entry = findCommand(first);
  if (!entry) {
    if (wantsJson(rest)) printJsonError(usageError(`unknown command "${first}"`, { command: first }));
    process.stderr.write(`procd: unknown command "${first}"\n\n${globalHelp()}\n`);
    return EXIT.usage;
  }
  const { spec } = entry;
  const name = spec.command;
  let parsed;
  try {
    const hint = spec.positionals?.startsWith('--') ? JOB_ARGS_HINT : undefined;
    parsed = parseCommandArgs(rest, { options: { ...GLOBAL_OPTIONS, ...spec.options }, ...(hint ? { unknownHint: hint } : {}) });
    if (spec.positionals === null && parsed.positionals.length) throw new ExitError(EXIT.usage, `unexpected argument "${parsed.positionals[0]}" (this command takes options only)`);
  } catch (err) {
    if (!(err instanceof ExitError)) throw err;
    if (wantsJson(rest)) printJsonError(usageError(err.message, err.data));
    process.stderr.write(`procd ${name}: ${err.message}\nRun \`procd ${name} --help\` for usage.\n`);
    return EXIT.usage;
  }
  // --json counts only as procd's own option: after `--` it belongs to the job's command.
  const out = createOutput(parsed.values.json === true);
  if (parsed.values.help) {
    out.out(commandHelp(spec));
    return EXIT.ok;
  }
  const { command } = await entry.load();
  // Someone at a terminal hears (once) that a daemon was started for them; scripts never do.
  let told = false;
  const connectOptions: ConnectOptions = parsed.values['no-autostart'] ? { autostart: false } : {};
  if (out.interactive) {
    connectOptions.onAutostart = ({ pid, logFile }) => {
      if (!told) out.err(`procd: started the daemon (pid ${pid}; log ${logFile})`);
      told = true;
    };
  }
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
    return reportError(err, name, out.json);
  } finally {
    (client as ProcdClient | null)?.close();
  }
}

function reportError(err: unknown, commandName: string, json: boolean): number {
  if (err instanceof ExitError) {
    if (json && err.message) printJsonError(err.exitCode === EXIT.usage ? usageError(err.message, err.data) : new ProcdError(ErrorCode.CommandFailed, err.message, err.data), err.exitCode);
    if (err.message) process.stderr.write(`procd ${commandName}: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof ProcdError) {
    // Bad input on the command line (a field, a signal name) is a usage error, like a bad option.
    const exitCode = err.code === ErrorCode.InvalidParams || err.code === ErrorCode.BadSignal ? EXIT.usage : EXIT.error;
    if (json) printJsonError(err, exitCode);
    process.stderr.write(`procd ${commandName}: ${err.message} [${err.codeName} ${err.code}]\n`);
    return exitCode;
  }
  process.stderr.write(`procd ${commandName}: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
  return EXIT.error;
}

function usageError(message: string, data: Record<string, unknown>): ProcdError {
  return new ProcdError(ErrorCode.UsageError, message, data);
}

/** Under --json every error is one object on stdout (README "JSON errors"); the message also goes to stderr. */
function printJsonError(err: ProcdError, exitCode: number = EXIT.usage): void {
  process.stdout.write(`${JSON.stringify({ error: { code: err.code, name: err.codeName, message: err.message, data: err.data, exitCode } }, null, 2)}\n`);
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
