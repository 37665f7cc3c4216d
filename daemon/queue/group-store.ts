// The queue groups' settings on disk: `groups.json` beside the state file, replaced atomically on
// every change (a few entries, changed by hand: no journal needed). A damaged file is set aside
// with a warning and the daemon starts with no groups configured.

import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import type { GroupConfig } from '../../shared/queue.js';
import { writeFileAtomic } from '../store/files.js';

const GroupsFileSchema = v.object({
  groups: v.array(v.object({ name: v.string(), parallel: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1))), paused: v.boolean() })),
});

export class GroupStore {
  readonly file: string;
  readonly warnings: string[] = [];

  constructor(stateDir: string) {
    this.file = join(stateDir, 'groups.json');
  }

  load(): Map<string, GroupConfig> {
    if (!existsSync(this.file)) return new Map();
    try {
      const parsed = v.parse(GroupsFileSchema, JSON.parse(readFileSync(this.file, 'utf8')));
      return new Map(parsed.groups.map((g) => [g.name, g]));
    } catch (err) {
      const aside = `${this.file}.damaged-${Date.now()}`;
      renameSync(this.file, aside);
      this.warnings.push(`${this.file} could not be read (${(err as Error).message}); set aside as ${aside}: no group settings`);
      return new Map();
    }
  }

  save(groups: ReadonlyMap<string, GroupConfig>): void {
    writeFileAtomic(this.file, `${JSON.stringify({ groups: [...groups.values()] }, null, 2)}\n`);
  }
}
