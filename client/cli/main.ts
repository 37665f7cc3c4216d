#!/usr/bin/env node
// The `procd` CLI: its commands, aliases and help come from the specs (commands-table.ts); each
// command's presentation is loaded only when used so `procd ls` starts fast.

import { parseArgs } from 'node:util';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { VERSION } from '../../shared/version.js';
import { connect, type ConnectOptions, type ProcdClient } from '../index.js';
import { commandHelp, commandList, findCommand, parseArgsOptions } from './commands-table.js';
import { EXIT, ExitError } from './exit-codes.js';
import { createOutput } from './output.js';

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'no-autostart': { type: 'boolean' },
} as const;

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
    process.stderr.write(`procd: unknown command "${first}"\n\n${globalHelp()}\n`);
    return EXIT.usage;
  }
  const { spec } = entry;
  const name = spec.command;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...parseArgsOptions(spec) }, allowPositionals: true, strict: true });
    if (spec.positionals === null && parsed.positionals.length) throw new Error(`unexpected argument "${parsed.positionals[0]}" (this command takes options only)`);
  } catch (err) {
    process.stderr.write(`procd ${name}: ${(err as Error).message}\nRun \`procd ${name} --help\` for usage.\n`);
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
