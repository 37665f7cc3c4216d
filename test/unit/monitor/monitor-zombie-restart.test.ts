// A zombie flag survives a daemon restart: the new daemon's monitor starts with no memory of how
// long the zombie has been one, and used to clear the flag on its first tick and raise it again a
// threshold later for the same zombie. A real unreaped child; the job is as the old daemon left it.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { carriedZombies } from '../../../daemon/monitor/flags.js';
import { Monitor } from '../../../daemon/monitor/monitor.js';
import { DEFAULT_THRESHOLDS } from '../../../daemon/monitor/thresholds.js';
import type { Job, JobFlag, JobId } from '../../../shared/job.js';
import { makeJob, runningState } from '../../helpers/job-factory.js';
import { waitFor } from '../../helpers/wait-for.js';
import { memoryStore as store, silentLogger as logger } from '../../helpers/stand-ins.js';

const quiet = () => undefined;

const FIXTURE = join(import.meta.dirname, '../../fixtures/aw-zombie.pl');

let parent: ChildProcess | undefined;
afterEach(() => {
  if (parent?.pid) process.kill(-parent.pid, 'SIGKILL');
  parent = undefined;
});

function stat(pid: number): string[] {
  const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
}

/** A process (leading its own group, as a job does) with a child it never reaps. */
async function zombieParent(): Promise<{ pid: number; zombie: number }> {
  const p = (parent = spawn('perl', [FIXTURE], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] }));
  let text = '';
  p.stdout!.on('data', (b: Buffer) => void (text += b.toString()));
  const m = await waitFor(() => /parent (\d+) zombie (\d+)\n/.exec(text), { what: 'the fixture to report its zombie' });
  const zombie = Number(m[2]);
  await waitFor(() => stat(zombie)[0] === 'Z', { what: 'the child to become a zombie' });
  return { pid: Number(m[1]), zombie };
}

describe('zombie flag across a daemon restart', () => {
  it('the new monitor keeps the flag the old daemon raised for the same zombie, with its time', async () => {
    const { pid, zombie } = await zombieParent();
    const now = Date.now();
    const raisedAt = now - 10_000;
    const flag: JobFlag = { kind: 'zombie', raisedAt, detail: `1 zombie process(es) ${zombie} not reaped by parent ${pid}`, severity: 'medium', pids: [zombie], data: { parents: [pid], oldestMs: 5000 } };
    const job: Job = makeJob({ id: 1, state: runningState({ startedAt: now - 60_000, pid, startTicks: Number(stat(pid)[19]), shimPid: 999_999 }), flags: [flag] });
    const table = new JobTable(store, { jobs: new Map<JobId, Job>([[1, job]]), nextId: 2 });
    const monitor = new Monitor(table, logger, {
      intervalMs: 1_000_000, instance: 'zombie-restart', thresholds: DEFAULT_THRESHOLDS, autoCleanupDelayMs: null, leftoverCheckDelayMs: 1_000_000, graceMs: 100,
      refreshOutput: async () => undefined, onAdoptedGone: quiet,
    });
    const cleared: string[] = [];
    table.on('change', ({ job: j }) => cleared.push(...j.flagHistory.map((f) => f.kind)));
    await monitor.tick();
    await monitor.tick();
    const after = table.get(1)!;
    expect(after.flags.map((f) => [f.kind, f.raisedAt, f.pids])).toEqual([['zombie', raisedAt, [zombie]]]);
    expect(after.flagHistory).toEqual([]);
    expect(cleared).toEqual([]);
  });

  it('carries only running jobs’ zombie flags, dated a threshold before they were raised', () => {
    const flag: JobFlag = { kind: 'zombie', raisedAt: 50_000, detail: '', severity: 'medium', pids: [7, 8], data: {} };
    const running = makeJob({ id: 1, state: runningState(), flags: [flag] });
    const ended = makeJob({ id: 2, flags: [{ ...flag, pids: [9] }] });
    expect([...carriedZombies([running, ended], 5000)]).toEqual([[7, 45_000], [8, 45_000]]);
  });
});
