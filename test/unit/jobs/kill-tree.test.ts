// killJobs() and KillSweeper with real processes: many jobs share one sweep (one read before the
// first signal, one after the grace), each job gets its own result, the grace is honoured and
// what ignores SIGTERM is SIGKILLed and reported as forced.

import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { KillSweeper, killJobs, pollDelayMs } from '../../../daemon/jobs/kill-tree.js';
import { ProcessSnapshots } from '../../../daemon/monitor/job-processes.js';
import { isAlive, readIdentity } from '../../../daemon/proc/process-table.js';
import type { Job } from '../../../shared/job.js';
import { Spawned } from '../proc/spawned.js';
import { waitFor } from '../../helpers/wait-for.js';

let procs: Spawned;
afterEach(async () => {
  await procs?.cleanup();
});

function runningJob(id: number, pid: number, startTicks: number | null): Job {
  return {
    id, name: `j${id}`, description: null, tags: [], createdAt: 0,
    spec: { command: { kind: 'argv', argv: ['x'] }, cwd: '/', env: {}, timeoutMs: null, expectMs: null, stuckAfterMs: 0, maxOutputBytes: 4096, kind: 'task', stopSignal: 'SIGTERM', stopGraceMs: null },
    state: { kind: 'running', startedAt: 0, pid, startTicks, shimPid: null },
    pendingKill: null, flags: [], flagHistory: [], resources: null,
    output: { stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null }, dir: '/x',
  } as Job;
}

/** A job led by `script` (its own session and group), marked as job `id` of `instance`; waits until it prints "ready". */
async function startJob(instance: string, id: number, script: string): Promise<Job> {
  const child = procs.spawn('perl', ['-e', script], { detached: true, extraEnv: { PROCD_JOB_ID: String(id), PROCD_INSTANCE: instance } });
  expect(await Spawned.firstLine(child)).toBe('ready');
  return runningJob(id, child.pid, (await readIdentity(child.pid))!.startTicks);
}

const SLEEPER = '$| = 1; print "ready\\n"; sleep 1000';
const STUBBORN = '$| = 1; $SIG{TERM} = "IGNORE"; print "ready\\n"; sleep 1000';

describe('killJobs / KillSweeper', () => {
  it('N jobs asked together share one sweep: two process-table reads, one result each', async () => {
    procs = new Spawned();
    const instance = randomUUID();
    const jobs = await Promise.all([1, 2, 3, 4, 5].map((id) => startJob(instance, id, SLEEPER)));
    const snapshots = new ProcessSnapshots(instance);
    const sweeper = new KillSweeper(snapshots);
    const results = await Promise.all(jobs.map((job) => sweeper.kill(job, 'SIGTERM', 5000)));
    expect(sweeper.sweeps).toBe(1);
    expect(snapshots.taken).toBe(2);
    results.forEach((r, i) => {
      const pid = jobs[i]!.state.kind === 'running' ? jobs[i]!.state.pid : -1;
      expect(r).toEqual({ signalled: [pid], forced: [], survivors: [] });
    });
    for (const job of jobs) expect(await isAlive(job.state.kind === 'running' ? job.state.pid : -1)).toBe(false);
  });

  it('requests with another signal or grace get their own sweep', async () => {
    procs = new Spawned();
    const instance = randomUUID();
    const [a, b] = await Promise.all([startJob(instance, 1, SLEEPER), startJob(instance, 2, SLEEPER)]);
    const sweeper = new KillSweeper(new ProcessSnapshots(instance));
    await Promise.all([sweeper.kill(a!, 'SIGTERM', 5000), sweeper.kill(b!, 'SIGINT', 5000)]);
    expect(sweeper.sweeps).toBe(2);
  });

  it('SIGKILLs what ignores SIGTERM after the grace, and reports it as forced for its job only', async () => {
    procs = new Spawned();
    const instance = randomUUID();
    const [soft, hard] = await Promise.all([startJob(instance, 1, SLEEPER), startJob(instance, 2, STUBBORN)]);
    const hardPid = hard!.state.kind === 'running' ? hard!.state.pid : -1;
    const started = Date.now();
    const results = await killJobs(new ProcessSnapshots(instance), [soft!, hard!], 'SIGTERM', 300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(results.get(1)!.forced).toEqual([]);
    expect(results.get(2)).toEqual({ signalled: [hardPid], forced: [hardPid], survivors: [] });
    await waitFor(async () => !(await isAlive(hardPid)), { what: 'the stubborn process to be gone' });
  });

  it('a job forking all the time is gone after the sweep: what it forks between the read and the signal gets the group signal', async () => {
    procs = new Spawned();
    const instance = randomUUID();
    // forks a sleeping child every millisecond (up to 400), all in its group
    const storm = '$| = 1; print "ready\\n"; for (1 .. 400) { my $p = fork(); if (defined $p && $p == 0) { sleep 1000; exit 0 } select(undef, undef, undef, 0.001) } sleep 1000';
    const job = await startJob(instance, 1, storm);
    const snapshots = new ProcessSnapshots(instance);
    await waitFor(async () => ((await snapshots.take()).marked.get(1)?.length ?? 0) > 20, { what: 'the storm to be under way' });
    // A long grace: 400 processes may take seconds to be scheduled and die on a loaded machine, and
    // the sweep ends as soon as they are gone. One that never got the SIGTERM would still be forced.
    const result = (await killJobs(snapshots, [job], 'SIGTERM', 15_000)).get(1)!;
    // nothing needed SIGKILL: the first signal, to the group, reached every process, also those forked after the read
    expect(result).toMatchObject({ forced: [], survivors: [] });
    await waitFor(async () => {
      const snap = await snapshots.take();
      return (snap.marked.get(1) ?? []).every((pid) => ['Z', 'X'].includes(snap.table.get(pid)?.state ?? 'Z'));
    }, { what: 'nothing of the job to be left' });
  });

  it('a job with nothing left to signal answers at once with empty lists', async () => {
    procs = new Spawned();
    const gone = runningJob(9, 0x3ffffff0, 1); // a pid that cannot exist, no markers anywhere
    const results = await killJobs(new ProcessSnapshots(randomUUID()), [gone], 'SIGTERM', 5000);
    expect(results.get(9)).toEqual({ signalled: [], forced: [], survivors: [] });
  });
});

describe('pollDelayMs', () => {
  it('looks again after 1, 2, 4, 8, 16 ms, then every pollMs', () => {
    expect(Array.from({ length: 8 }, (_, n) => pollDelayMs(n, 25))).toEqual([1, 2, 4, 8, 16, 25, 25, 25]);
    expect(pollDelayMs(0, 0)).toBe(1);
    expect(pollDelayMs(40, 25)).toBe(25);
  });
});
