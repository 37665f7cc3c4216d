// The names `procd up`, `down` and `ls --project` look for, in this order, when no FILE is given.
// Apart from load-project.ts (which loads the YAML parser) so a cached load never loads it.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const DEFAULT_FILES = ['procd.yaml', 'procd.yml', 'procd.json'] as const;

/** The file `up` / `down` / `ls --project` use: FILE as given, else the first of DEFAULT_FILES in `cwd`; null when there is none. */
export function findProjectFile(cwd: string, given?: string): string | null {
  if (given !== undefined) return resolve(cwd, given);
  for (const name of DEFAULT_FILES) if (existsSync(resolve(cwd, name))) return resolve(cwd, name);
  return null;
}
