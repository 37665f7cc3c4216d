// The project name of a directory's project file, for `procd ls --project` without a NAME: on the
// CLI's hot path, so no YAML library — the top-level `name:` line of a YAML file (a plain or quoted
// one-line value, as project files write it), `name` of a JSON file, else the directory's name,
// which is what `procd up` uses when the file has no name.

import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';

export function projectNameOf(file: string): string {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    try {
      const name = (JSON.parse(text) as { name?: unknown }).name;
      if (typeof name === 'string') return name;
    } catch {
      // `procd up` reports what is wrong with the file; ls falls back to the directory's name.
    }
    return basename(dirname(file));
  }
  const m = /^name:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"][^#\n]*?))[ \t]*(?:#.*)?$/m.exec(text);
  return m?.[1] ?? m?.[2] ?? m?.[3] ?? basename(dirname(file));
}
