// The full `procd` CLI: help, version, every command. Its commands, aliases and help come from the
// specs (commands-table.ts); each command's presentation is loaded only when used. The bin
// (main.ts) runs the most used commands without it; the build bundles it into its own file.

import { VERSION } from '../../shared/version.js';
import { wantsJson } from './args.js';
import { commandList, findCommand } from './commands-table.js';
import { EXIT } from './exit-codes.js';
import { printJsonError, runCommand, usageError } from './run-command.js';

// For the hot commands' rarer paths (bundle-cli.mjs, rarePathsThroughCli): the bin takes these
// from here rather than carrying them: `track --wait-for`, `status --timeline`, `track --follow`.
export { runConditionWait } from './wait-for.js';
export { waitConditionsProblem } from './wait-conditions-check.js';
export { printTimeline } from './format-timeline.js';
export { printOutput } from './follow-output.js';
export { READER_GONE_EXIT, ReaderGone } from './reader-watch.js';

const globalHelp = () => `procd ${VERSION} — a process supervisor that never leaves a process behind

Usage: procd <command> [options]

Commands:
${commandList().join('\n')}

Global options: --json (machine output), --no-autostart, -h/--help
Exit codes: 0 ok, 1 error, 2 usage, 124 wait timed out, 125 wait --for: a job ended first; commands that wait for a job exit with its code.
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
  return runCommand(rest, entry);
}
