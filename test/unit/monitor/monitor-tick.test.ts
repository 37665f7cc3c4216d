// One process-table read per tick: however many jobs are sampled and however many finished jobs'
// leftovers are watched, a tick reads the table once and reads environments (the marker index)
// at most once. Real processes; the process-table module is wrapped only to count calls.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Job, JobFlag, JobId } from '../../../shared/job.js';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { Monitor } from '../../../daemon/monitor/monitor.js';
import { DEFAULT_THRESHOLDS } from '../../../daemon/monitor/thresholds.js';
import { completedState, makeJob, runningState } from '../../helpers/job-factory.js';
import { memoryStore as store, silentLogger as logger } from '../../helpers/stand-ins.js';

const quiet = () => undefined;

const calls = { tables: 0, environs: 0 };
vi.mock('../../../daemon/proc/process-table.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../daemon/proc/process-table.js')>();
  return {
    ...real,
    readProcessTable: (...args: Parameters<typeof real.readProcessTable>) => {
      calls.tables++;
      return real.readProcessTable(...args);
    },
    readEnvironKeys: (...args: Parameters<typeof real.readEnvironKeys>) => {
      calls.environs++;
      return real.readEnvironKeys(...args);
    },
  };
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function startTicksOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

function sleeper(): ChildProcess & { pid: number } {
  const c = spawn('sleep', ['1000'], { stdio: 'ignore' });
  children.push(c);
  return c as ChildProcess & { pid: number };
}

function job(id: JobId, state: Job['state'], flags: JobFlag[] = []): Job {
  return makeJob({ id, createdAt: 0, spec: { command: { kind: 'argv', argv: ['sleep', '1000'] } }, state, flags, dir: '/nonexistent' });
}

describe('Monitor tick', () => {
  it('reads the process table once and the environments at most once per tick, for every job', async () => {
    const now = Date.now();
    const running = [sleeper(), sleeper(), sleeper()];
    const leftover = sleeper();
    // wait (with a deadline) until each has exec'd sleep: its environment and comm are final
    const deadline = Date.now() + 10_000;
    while (![...running, leftover].every((c) => readFileSync(`/proc/${c.pid}/comm`, 'utf8').trim() === 'sleep')) {
      if (Date.now() > deadline) throw new Error('the sleeps did not start');
      await new Promise((r) => setImmediate(r));
    }
    const jobs = new Map<JobId, Job>(running.map((c, i) => [i + 1, job(i + 1, runningState({ startedAt: now, pid: c.pid, startTicks: startTicksOf(c.pid), shimPid: 999_999 }))]));
    const flag: JobFlag = { kind: 'leftovers', raisedAt: now, detail: 'x', severity: 'medium', pids: [leftover.pid], data: { count: 1 } };
    jobs.set(4, job(4, completedState({ startedAt: now - 2000, endedAt: now - 1000, durationMs: 1000, pid: leftover.pid, startTicks: startTicksOf(leftover.pid) }), [flag]));
    const table = new JobTable(store, { jobs, nextId: 5 });
    const monitor = new Monitor(table, logger, {
      intervalMs: 1_000_000, instance: 'aw-tick', thresholds: DEFAULT_THRESHOLDS, autoCleanupDelayMs: null, leftoverCheckDelayMs: 1_000_000, graceMs: 100,
      refreshOutput: async () => undefined, onAdoptedGone: quiet,
    });
    const sampled: JobId[] = [];
    monitor.on('sample', (e) => sampled.push(e.job.id));

    for (let tick = 1; tick <= 3; tick++) {
      const before = { ...calls };
      await monitor.tick();
      expect(calls.tables - before.tables).toBe(1);
      expect(calls.environs - before.environs).toBeLessThanOrEqual(1);
      expect(monitor.snapshots.taken).toBe(tick);
    }
    expect(sampled.sort()).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(table.get(1)!.resources?.last?.processes).toBe(1);
    expect(table.get(4)!.flags.map((f) => [f.kind, f.pids])).toEqual([['leftovers', [leftover.pid]]]);
  });
});
