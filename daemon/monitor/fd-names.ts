// The fd list of each process, read once per monitor tick: the fd count of a job's sample and the
// ports watch both need it, and a readdir of /proc/<pid>/fd per process per tick is the larger part
// of what either costs (~15 µs each). Kept per snapshot object, so it is dropped with the tick.

import { readdirSync } from 'node:fs';

const perSnapshot = new WeakMap<object, Map<number, string[] | null>>();

/** The open fd numbers of `pid` as read during the tick of `snapshot` (null: it ended, or not ours to see). */
export function fdNamesIn(snapshot: object, pid: number): string[] | null {
  let names = perSnapshot.get(snapshot);
  if (!names) perSnapshot.set(snapshot, (names = new Map()));
  let got = names.get(pid);
  if (got === undefined) {
    try {
      got = readdirSync(`/proc/${pid}/fd`);
    } catch {
      got = null;
    }
    names.set(pid, got);
  }
  return got;
}
