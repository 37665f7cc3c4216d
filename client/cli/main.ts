#!/usr/bin/env node
// The `procd` bin. `procd ls`, `status` and `track` run from this file alone (hot-commands.ts):
// it holds only what they need, so they start fast. Everything else — the other commands, help
// (theirs too), --version, an unknown command — goes to the full CLI (cli.ts), which the build
// bundles into its own file (cli.js) and this file loads only then.

import { asksForHelp } from './args.js';
import { EXIT } from './exit-codes.js';
import { findHotCommand } from './hot-commands.js';
import { runCommand } from './run-command.js';

async function main(argv: string[]): Promise<number> {
  const hot = findHotCommand(argv[0]);
  // The bin carries no help text (bundle-cli-table.mjs): cli.js answers a hot command's --help.
  if (hot && !asksForHelp(argv.slice(1))) return runCommand(argv.slice(1), hot);
  const full = await import('./cli.js');
  return full.main(argv);
}

// A reader that goes away early (`procd status 1 --tree | head -1`) is not an error of ours: end
// quietly, as a program killed by SIGPIPE would, instead of an unhandled 'error' with a stack.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(EXIT.readerGone);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`procd: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT.error;
  },
);
