// Whether a job's name was given by the user: procd names an unnamed job after its program
// (daemon/jobs/names.ts), `-2`, `-3`… when that name is taken (JobTable.freeName). Any other name
// was chosen, so jobs with different chosen names are meant to be different jobs, whatever they run.

import { basename } from 'node:path';
import { defaultJobName, shellJobName } from '../jobs/names.js';
import type { TrackedCommand } from './commands.js';

/** The name procd gives the command when none is given (before any `-N`). */
export function defaultNameOf(command: TrackedCommand): string {
  return command.kind === 'shell' ? shellJobName(command.script) : defaultJobName(command.argv[0] ?? '');
}

/** `name` is procd's default for `base` (`web`, `web-2`), not one the user chose. */
export function isDefaultName(name: string, base: string): boolean {
  return name === base || (name.startsWith(`${base}-`) && /^\d+$/.test(name.slice(base.length + 1)));
}

/**
 * A name to start a command under that no job of another command had (`taken`: name → the
 * signature of its jobs, `null` for several): its default name, else that with its directory's
 * name, else with a number too. Never a name the user gave a job: that job had its own purpose.
 */
export function freeNameFor(signature: string, cwd: string, base: string, taken: ReadonlyMap<string, string | null>): string {
  const free = (n: string) => !taken.has(n) || taken.get(n) === signature;
  const dir = basename(cwd).replace(/[^\w.-]/g, '') || 'dir';
  const found = [base, `${base}-${dir}`].find(free);
  if (found !== undefined) return found;
  for (let n = 2; ; n++) if (free(`${base}-${dir}-${n}`)) return `${base}-${dir}-${n}`;
}
