#!/usr/bin/env node
// The `procd` bin. `procd ls`, `status` and `track` run from this file alone (hot-commands.ts):
// it holds only what they need, so they start fast. Everything else — the other commands, help
// (theirs too), --version, an unknown command — goes to the full CLI (cli.ts), which the build
// bundles into its own file (cli.js) and this file loads only then.

import { asksForHelp } from './args.js';
import { EXIT } from './exit-codes.js';
import { findHotCommand } from './hot-commands.js';
import { runCommand } from './run-command.js';
import { streamsWithPendingBytes, trackStdio } from './stdout.js';

async function main(argv: string[]): Promise<number> {
  const hot = findHotCommand(argv[0]);
  // The bin carries no help text (bundle-cli-table.mjs): cli.js answers a hot command's --help.
  if (hot && !asksForHelp(argv.slice(1))) {
    const code = await runCommand(argv.slice(1), hot);
    // A hot command has nothing left to do once it answers: exit as soon as its output is out,
    // rather than let Node dispose of the whole heap page by page first (~1 ms of a ~55 ms `ls`).
    exitOnceWritten(code);
    return code;
  }
  const full = await import('./cli.js');
  return full.main(argv);
}

/** process.exit(code) once stdout and stderr have handed every byte to the kernel (a full pipe takes them later). */
function exitOnceWritten(code: number): void {
  const pending = streamsWithPendingBytes();
  if (pending.length === 0) process.exit(code);
  let left = pending.length;
  for (const s of pending) s.once('drain', () => --left === 0 && process.exit(code));
}

trackStdio();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`procd: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT.error;
  },
);
