// Running one command: its options parsed against its spec, its presentation loaded, a client
// connected on first use, and every error reported the documented way (exit codes, --json).
// Shared by the bin's fast path (main.ts: ls, status, track) and the full CLI (cli.ts).

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { VERSION } from '../../shared/version.js';
import { connect, type ConnectOptions, type PrefetchCall, type ProcdClient } from '../index.js';
import { parseCommandArgs, wantsJson } from './args.js';
import { commandHelp } from './command-help.js';
import type { CommandEntry } from './commands-table.js';
import { EXIT, ExitError } from './exit-codes.js';
import { createOutput } from './output.js';

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'no-autostart': { type: 'boolean' },
} as const;
/** Where a job's own options go, said after an unknown option of a command that runs one. */
const JOB_ARGS_HINT = "options of the job's command go after --, as in procd track [options] -- CMD ARGS";

/** Runs `entry` with the words after the command word; returns the exit code. */
export async function runCommand(rest: string[], entry: CommandEntry): Promise<number> {
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
  // The audit log shows which command made each call (`up`, `down`, `kill`, …).
  const connectOptions: ConnectOptions = { clientName: `procd-cli/${VERSION}`, via: name, ...(parsed.values['no-autostart'] ? { autostart: false } : {}) };
  if (out.interactive) {
    connectOptions.onAutostart = ({ pid, logFile }) => {
      if (!told) out.err(`procd: started the daemon (pid ${pid}; log ${logFile})`);
      told = true;
    };
  }
  let client: ProcdClient | null = null;
  const getClient = async (prefetch?: PrefetchCall[]) => {
    if (client) return client;
    client = await connect(prefetch?.length ? { ...connectOptions, prefetch } : connectOptions);
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

export function usageError(message: string, data: Record<string, unknown>): ProcdError {
  return new ProcdError(ErrorCode.UsageError, message, data);
}

/** Under --json every error is one object on stdout (README "JSON errors"); the message also goes to stderr. */
export function printJsonError(err: ProcdError, exitCode: number = EXIT.usage): void {
  process.stdout.write(`${JSON.stringify({ error: { code: err.code, name: err.codeName, message: err.message, data: err.data, exitCode } }, null, 2)}\n`);
}
