// Job directories are named by job id. If records were ever lost (a damaged state file with no
// good copy), their directories still show which ids were used: the next id must be above them
// all, or a new job would get a used id and find the old job's exit file in its directory.

import { readdirSync } from 'node:fs';
import type { JobId } from '../../shared/job.js';

export interface JobDirScan {
  /** One above the highest job directory id (1 when there is none). */
  nextId: number;
  /** Directories whose job has no record. */
  orphans: JobId[];
}

export function scanJobDirs(jobsDir: string, known: ReadonlyMap<JobId, unknown>): JobDirScan {
  let names: string[];
  try {
    names = readdirSync(jobsDir);
  } catch {
    return { nextId: 1, orphans: [] };
  }
  let max = 0;
  const orphans: JobId[] = [];
  for (const name of names) {
    if (!/^[1-9]\d*$/.test(name)) continue;
    const id = Number(name);
    max = Math.max(max, id);
    if (!known.has(id)) orphans.push(id);
  }
  return { nextId: max + 1, orphans: orphans.sort((a, b) => a - b) };
}
