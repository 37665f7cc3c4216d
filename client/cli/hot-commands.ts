// The commands the bin (main.ts) runs without loading the full CLI: the ones people and scripts
// call most. Adding one here puts its module, and all it imports, into the bin's own file; the
// test/unit/client/hot-path.test.ts budget says when that file grows.

import type { CliSpec } from '../../shared/method-spec.js';
import { METHOD_SPECS } from '../../shared/methods.js';
import type { CommandEntry, CommandName, Loader } from './commands-table.js';

const HOT_LOADERS = {
  ls: () => import('./commands/ls.js'),
  status: () => import('./commands/status.js'),
  track: () => import('./commands/track.js'),
} satisfies Partial<Record<CommandName, Loader>>;

/** The hot command called `word` (its name or an alias), or undefined: the full CLI handles it. */
export function findHotCommand(word: string | undefined): CommandEntry | undefined {
  if (word === undefined) return undefined;
  for (const method of Object.values(METHOD_SPECS)) {
    if (!('cli' in method)) continue;
    const spec: CliSpec = method.cli;
    if (!Object.hasOwn(HOT_LOADERS, spec.command)) continue;
    if (spec.command === word || spec.aliases?.includes(word)) {
      return { spec, load: HOT_LOADERS[spec.command as keyof typeof HOT_LOADERS] };
    }
  }
  return undefined;
}
