// The monitor's leftover watch with a real process table but a controlled schedule: a leftover
// check (as run by cleanup / auto cleanup) that completes while a tick is in flight must not make
// the tick clear or raise the same flag a second time from its older view of the job.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClearedFlag, Job, JobFlag, JobId } from '../../../shared/job.js';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { Monitor } from '../../../daemon/monitor/monitor.js';
import { DEFAULT_THRESHOLDS } from '../../../daemon/monitor/thresholds.js';
import { StateStore } from '../../../daemon/store/state-store.js';
import { completedState, makeJob, runningState } from '../../helpers/job-factory.js';

// Process-table reads can be held at a gate, to replay an interleaving deterministically.
const hold: { next: Promise<void> | null } = { next: null };
vi.mock('../../../daemon/proc/process-table.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../daemon/proc/process-table.js')>();
  return {
    ...real,
    readProcessTable: async (...args: Parameters<typeof real.readProcessTable>) => {
      const gate = hold.next;
      hold.next = null;
      if (gate) await gate;
      return real.readProcessTable(...args);
    },
  };
});

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  hold.next = null;
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const quiet = () => undefined;
const logger = pino({ level: 'silent' });

/** A job table over a real (temporary) store, holding `jobs`. */
function tableOf(jobs: Map<JobId, Job>, nextId: number): JobTable {
  const dir = mkdtempSync(join(tmpdir(), 'procd-monitor-'));
  dirs.push(dir);
  const store = new StateStore(join(dir, 'state.json'));
  store.load();
  return new JobTable(store, { jobs, nextId });
}

function startTicksOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
}

/** A `sleep` that has exec'd (the spawn event comes after a successful exec). */
async function sleeper(): Promise<ChildProcess & { pid: number }> {
  const c = spawn('sleep', ['1000'], { stdio: 'ignore' });
  children.push(c);
  await once(c, 'spawn');
  return c as ChildProcess & { pid: number };
}

function baseJob(id: JobId, state: Job['state'], flags: JobFlag[] = []): Job {
  return makeJob({ id, createdAt: 0, spec: { command: { kind: 'argv', argv: ['sleep', '1000'] } }, state, flags });
}


describe('Monitor leftovers vs a tick in flight', () => {
  it('a flag cleared by a leftover check during a tick is cleared once, not again by the tick', async () => {
    const running = await sleeper(); // job 1: a running job, so the tick awaits while sampling it
    const leftover = await sleeper(); // job 2's leftover: its main pid, still alive after the job ended
    const now = Date.now();
    const flag: JobFlag = { kind: 'leftovers', raisedAt: now - 1000, detail: 'x', severity: 'medium', pids: [leftover.pid], data: { count: 1 } };
    const jobs = new Map<JobId, Job>([
      // stuck-after 1 ms: the tick reads job 1's output figures (refreshOutput), where it is held
      [1, makeJob({ id: 1, createdAt: 0, spec: { command: { kind: 'argv', argv: ['sleep', '1000'] }, stuckAfterMs: 1 }, state: runningState({ startedAt: now - 5000, pid: running.pid, startTicks: startTicksOf(running.pid), shimPid: 999_999 }) })],
      [2, baseJob(2, completedState({ startedAt: now - 5000, endedAt: now - 2000, durationMs: 3000, pid: leftover.pid, startTicks: startTicksOf(leftover.pid) }), [flag])],
    ]);
    const table = tableOf(jobs, 3);

    // refreshOutput is called by the tick while it samples job 1: hold the tick there.
    let entered!: () => void;
    const inTick = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const monitor = new Monitor(table, logger, {
      intervalMs: 1_000_000,
      instance: 'aw-unit',
      thresholds: DEFAULT_THRESHOLDS,
      autoCleanupDelayMs: null,
      leftoverCheckDelayMs: 1_000_000,
      graceMs: 100,
      refreshOutput: async () => {
        entered();
        await gate;
      },
      onAdoptedGone: quiet,
    });
    const cleared: ClearedFlag[] = [];
    const raised: JobFlag[] = [];
    monitor.on('flags', (e) => {
      if (e.job.id === 2) {
        cleared.push(...e.cleared);
        raised.push(...e.raised);
      }
    });

    // The leftover goes away (as a cleanup would make it), then a tick starts and stops in the
    // middle; meanwhile the leftover check clears the flag; then the tick finishes.
    const exited = new Promise((r) => leftover.on('exit', r));
    leftover.kill('SIGKILL');
    await exited;
    const tick = monitor.tick();
    await inTick;
    expect(await monitor.checkLeftovers(2)).toEqual([]);
    expect(cleared).toHaveLength(1);
    release();
    await tick;

    expect(raised).toEqual([]);
    expect(cleared).toHaveLength(1);
    const job = table.get(2)!;
    expect(job.flags).toEqual([]);
    expect(job.flagHistory.map((f) => f.kind)).toEqual(['leftovers']);
  });

  it('a leftover check that started before a tick cleared the flag does not clear it a second time', async () => {
    // Production interleaving (seen as two flag.cleared events for one flag): a leftover check
    // takes the job (flagged) and reads the process table; meanwhile a tick sees the leftover
    // gone and clears the flag; then the check finishes with its older copy of the job.
    const leftover = await sleeper();
    const now = Date.now();
    const flag: JobFlag = { kind: 'leftovers', raisedAt: now - 1000, detail: 'x', severity: 'medium', pids: [leftover.pid], data: { count: 1 } };
    const table = tableOf(new Map([[1, baseJob(1, completedState({ startedAt: now - 5000, endedAt: now - 2000, durationMs: 3000, pid: leftover.pid, startTicks: startTicksOf(leftover.pid) }), [flag])]]), 2);
    const monitor = new Monitor(table, logger, {
      intervalMs: 1_000_000, instance: 'aw-unit', thresholds: DEFAULT_THRESHOLDS, autoCleanupDelayMs: null, leftoverCheckDelayMs: 1_000_000, graceMs: 100,
      refreshOutput: async () => undefined, onAdoptedGone: quiet,
    });
    const cleared: ClearedFlag[] = [];
    monitor.on('flags', (e) => cleared.push(...e.cleared));
    const exited = new Promise((r) => leftover.on('exit', r));
    leftover.kill('SIGKILL');
    await exited;

    let release!: () => void;
    hold.next = new Promise<void>((r) => (release = r));
    const check = monitor.checkLeftovers(1); // holds at its table read, with the job as it is now
    await monitor.tick(); // reads the table freely: the leftover is gone → cleared
    expect(cleared).toHaveLength(1);
    release();
    expect(await check).toEqual([]);

    expect(cleared).toHaveLength(1);
    expect(table.get(1)!.flags).toEqual([]);
    expect(table.get(1)!.flagHistory.map((f) => f.kind)).toEqual(['leftovers']);
  });

  it('a tick alone clears the flag of a leftover that is gone, once', async () => {
    const leftover = await sleeper();
    const now = Date.now();
    const flag: JobFlag = { kind: 'leftovers', raisedAt: now - 1000, detail: 'x', severity: 'medium', pids: [leftover.pid], data: { count: 1 } };
    const table = tableOf(new Map([[1, baseJob(1, completedState({ startedAt: now - 5000, endedAt: now - 2000, durationMs: 3000, pid: leftover.pid, startTicks: startTicksOf(leftover.pid) }), [flag])]]), 2);
    const monitor = new Monitor(table, logger, {
      intervalMs: 1_000_000, instance: 'aw-unit', thresholds: DEFAULT_THRESHOLDS, autoCleanupDelayMs: null, leftoverCheckDelayMs: 1_000_000, graceMs: 100,
      refreshOutput: async () => undefined, onAdoptedGone: quiet,
    });
    const events: { raised: number; cleared: number }[] = [];
    monitor.on('flags', (e) => events.push({ raised: e.raised.length, cleared: e.cleared.length }));
    await monitor.tick(); // still there: nothing changes
    expect(events).toEqual([]);
    expect(table.get(1)!.flags).toHaveLength(1);
    const exited = new Promise((r) => leftover.on('exit', r));
    leftover.kill('SIGKILL');
    await exited;
    await monitor.tick();
    await monitor.tick();
    expect(events).toEqual([{ raised: 0, cleared: 1 }]);
    expect(table.get(1)!.flags).toEqual([]);
    expect(table.get(1)!.flagHistory).toHaveLength(1);
  });
});
