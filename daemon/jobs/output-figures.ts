// A job's output figures (bytes per stream, dropped at the cap, lost to a refusing disk, last
// output time), read from its files; kept in memory, journaled with the job's next change.

import { setTimeout as delay } from 'node:timers/promises';
import { isSpawnFailure, isTerminal, type Job, type JobId } from '../../shared/job.js';
import { streamInfo } from '../output/segments.js';
import { readClosedFile, readLostBytes } from '../output/spawn-spec.js';
import type { JobTable } from './job-table.js';

export async function refreshOutput(table: JobTable, id: JobId): Promise<Job | undefined> {
  const job = table.get(id);
  if (!job) return undefined;
  const [out, err, lostBytes] = await Promise.all([streamInfo(job.dir, 'stdout'), streamInfo(job.dir, 'stderr'), readLostBytes(job.dir)]);
  const lastOutputAt = Math.max(out.end > 0 ? out.mtimeMs : 0, err.end > 0 ? err.mtimeMs : 0) || null;
  const output = { stdoutBytes: out.end, stderrBytes: err.end, droppedBytes: out.start + err.start, lostBytes, lastOutputAt };
  const same = JSON.stringify(output) === JSON.stringify(job.output);
  return same ? job : (table.updateVolatile(id, (j) => ({ resources: j.resources, output })) ?? undefined);
}

/** For a finished job: waits (bounded) until its shim has written all output, then refreshes the figures. */
export async function awaitOutputClosed(table: JobTable, id: JobId, timeoutMs: number): Promise<void> {
  const job = table.get(id);
  if (!job || !isTerminal(job.state)) return;
  // A job that never ran has no shim that would write the `closed` file.
  if (isSpawnFailure(job.state) || job.state.pid === null) return void (await refreshOutput(table, id));
  const deadline = Date.now() + timeoutMs;
  // The shim writes `closed` once, with no channel left to announce it to a re-adopting daemon:
  // polling the file (every 20 ms, bounded) is the only way to learn it.
  while (!(await readClosedFile(job.dir)) && Date.now() < deadline) await delay(20);
  await refreshOutput(table, id);
}
