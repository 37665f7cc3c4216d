// procd pause / resume against a real daemon, with PROCD_CONTAINMENT=cgroup (cgroup.freeze) and
// pgroup (SIGSTOP/SIGCONT to each process once): a paused job uses no CPU and resume gives it back,
// paused time is not counted toward --timeout, a paused job is killed with nothing left behind,
// each process of a multi-process job gets one SIGCONT per resume (none with the freezer), and a
// paused job stays paused across a daemon restart.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseContainment, probeCgroup } from '../../daemon/cgroup/containment.js';
import { JOB_CGROUP_NAME } from '../../daemon/cgroup/job-cgroup.js';
import type { KillResult, PauseDone, PauseOutcome } from '../../shared/methods.js';
import { instanceCgroupOf } from './helpers/cgroups.js';
import { FIXTURES, pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobStatus, parseJson, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const probe = probeCgroup(`probe-${process.pid}`);
const cgroupsHere = chooseContainment({}, () => probe).kind === 'cgroup';
if (probe.ok) {
  try {
    (await import('node:fs')).rmdirSync(probe.root);
  } catch {
    // already gone
  }
}

let d: TestDaemon | undefined;
let dir: string | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** /proc/PID/stat fields after the command: state, ppid, pgrp, …, utime (14), stime (15). */
function statOf(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}
const stateOf = (pid: number) => statOf(pid)?.[0] ?? null;
/** Live processes of the process group `pgid`. */
function groupOf(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => statOf(pid)?.[2] === String(pgid) && pidAlive(pid));
}
/** CPU time used so far by these processes, in clock ticks (user + system). */
function cpuTicks(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => {
    const f = statOf(pid);
    return f ? sum + Number(f[11]) + Number(f[12]) : sum;
  }, 0);
}
/** The job's cgroup below the instance root (its name carries a per-launch suffix), or a path that does not exist. */
function jobCgroupPath(root: string, id: number): string {
  const name = existsSync(root) ? readdirSync(root).find((n) => JOB_CGROUP_NAME.exec(n)?.[1] === String(id)) : undefined;
  return join(root, name ?? `job-${id}-none`);
}
function frozenFlag(home: string, id: number): string | null {
  const root = instanceCgroupOf(home);
  const events = root ? readFileSync(join(jobCgroupPath(root, id), 'cgroup.events'), 'utf8') : '';
  return /^frozen ([01])$/m.exec(events)?.[1] ?? null;
}

async function pauseCall(daemon: TestDaemon, verb: 'pause' | 'resume', ref: number): Promise<PauseDone> {
  const r = await daemon.cli([verb, '--json', String(ref)]);
  expectExit(r, 0, `${verb} ${ref}`);
  const [item] = parseJson<PauseOutcome[]>(r, verb);
  if (!item?.ok) throw new Error(`${verb} ${ref} failed: ${r.stdout}`);
  return item;
}

async function runningJob(daemon: TestDaemon, args: string[]): Promise<{ id: number; pid: number }> {
  const job = await trackJob(daemon, args);
  const running = await waitFor(async () => {
    const s = await jobStatus(daemon, job.id);
    return s.state.kind === 'running' && s.state;
  }, { what: `job ${job.id} to run` });
  return { id: job.id, pid: running.pid };
}

const ROLES = ['leader', 'child', 'grouped', 'escapee'] as const;
type Counts = { pid: number; cont: number; winch: number };
function counts(at: string): Counts[] {
  return ROLES.map((role) => {
    const [pid, cont, winch] = readFileSync(join(at, role), 'utf8').trim().split(' ').map(Number);
    return { pid: pid!, cont: cont!, winch: winch! };
  });
}

/** A running count-signals.pl job counting SIGCONT and SIGWINCH, every one of its four processes reporting. */
async function countingJob(daemon: TestDaemon, at: string): Promise<{ id: number; pids: number[] }> {
  const { id } = await runningJob(daemon, ['--', join(FIXTURES, 'count-signals.pl'), at, 'CONT', 'WINCH']);
  await waitFor(async () => (await daemon.cli(['logs', String(id)])).stdout.includes('ready'), { what: 'every process of the job to report', timeoutMs: 30_000 });
  return { id, pids: counts(at).map((c) => c.pid).sort((a, b) => a - b) };
}

describe.each([
  { mode: 'cgroup', method: 'freezer', skip: !cgroupsHere },
  { mode: 'pgroup', method: 'signals', skip: false },
] as const)('pause and resume with PROCD_CONTAINMENT=$mode', ({ mode, method, skip }) => {
  // cgroup: skipped where this machine gives no cgroup v2 directory of our own (the probe says why).
  const start = () => startTestDaemon({ env: { PROCD_CONTAINMENT: mode } });
  /** The job's processes are stopped: the cgroup reports frozen, or each process is in state T. */
  const isStopped = (daemon: TestDaemon, id: number, pids: readonly number[]) =>
    method === 'freezer' ? frozenFlag(daemon.home, id) === '1' : pids.every((pid) => stateOf(pid) === 'T');

  it.skipIf(skip)('pause drops the job’s CPU to ~0 (measured from /proc), resume restores it', async () => {
    d = await start();
    const job = await runningJob(d, ['--shell', 'while :; do :; done & while :; do :; done']);
    const pids = await waitFor(() => groupOf(job.pid).length === 2 && groupOf(job.pid), { what: 'both busy loops' });
    const before = cpuTicks(pids);
    await waitFor(() => cpuTicks(pids) - before >= 20, { what: 'the running job to use 0.2 s of CPU' });

    const paused = await pauseCall(d, 'pause', job.id);
    expect(paused).toMatchObject({ state: 'paused', changed: true, method });
    expect(isStopped(d, job.id, pids)).toBe(true);
    expect((await jobStatus(d, job.id)).state).toMatchObject({ kind: 'paused', pausedBy: method });
    const atPause = cpuTicks(pids);
    await delay(1500); // the measurement window
    // Two busy loops would use up to 300 ticks in 1.5 s; a paused job uses none (≤ 2 for rounding).
    expect(cpuTicks(pids) - atPause).toBeLessThanOrEqual(2);

    expect(await pauseCall(d, 'resume', job.id)).toMatchObject({ state: 'running', changed: true, method });
    const atResume = cpuTicks(pids);
    await waitFor(() => cpuTicks(pids) - atResume >= 20, { what: 'the resumed job to use 0.2 s of CPU again' });
    expect(pids.every((pid) => stateOf(pid) !== 'T')).toBe(true);
  });

  it.skipIf(skip)('paused time is not counted toward --timeout', async () => {
    d = await start();
    // Paused at once (a pause waits for a starting job to run): 5 s is then far off, even on a busy machine.
    const job = await trackJob(d, ['--timeout', '5s', '--', 'sleep', '1000']);
    const paused = await pauseCall(d, 'pause', job.id);
    expect(paused.changed).toBe(true);
    const { state } = await jobStatus(d, job.id);
    if (state.kind !== 'paused') throw new Error(`expected paused, got ${state.kind}`);
    // Stay paused well past the timeout: it must not fire.
    await waitFor(() => Date.now() >= state.startedAt + 7000, { what: 'the timeout and more to pass', timeoutMs: 15_000 });
    expect((await jobStatus(d, job.id)).state.kind).toBe('paused');
    const resumeAskedAt = Date.now();
    await pauseCall(d, 'resume', job.id);
    const ended = await waitForEnd(d, job.id);
    expect(ended.state).toMatchObject({ kind: 'timed_out', outcome: 'timeout' });
    if (ended.state.kind !== 'timed_out') return;
    // It ran 5 s in all: at least the time paused plus the timeout passed between start and end.
    const pausedFor = resumeAskedAt - state.pausedAt;
    expect(ended.state.endedAt - ended.state.startedAt).toBeGreaterThanOrEqual(pausedFor + 5000 - 50);
  });

  it.skipIf(skip)('a paused job is killed with SIGTERM (thawed first), leaving nothing behind', async () => {
    d = await start();
    dir = mkdtempSync(join(tmpdir(), 'procd-pause-'));
    const job = await countingJob(d, dir);
    await pauseCall(d, 'pause', job.id);
    await waitFor(() => isStopped(d!, job.id, job.pids), { what: 'every process to be stopped' });

    const k = await d.cli(['kill', '--json', String(job.id), '--grace', '30s']);
    expectExit(k, 0, 'kill');
    const [result] = parseJson<KillResult[]>(k, 'kill');
    // SIGTERM acted (each process exits on it): nothing needed SIGKILL after the grace.
    expect(result).toMatchObject({ state: 'killed', signalled: job.pids, forced: [] });
    await waitFor(() => job.pids.every((pid) => !pidAlive(pid)), { what: 'every process of the job to be gone' });
    if (method === 'freezer') {
      const root = instanceCgroupOf(d.home)!;
      await waitFor(() => !existsSync(jobCgroupPath(root, job.id)), { what: "the job's cgroup to be removed" });
    }
    // It exits 0 on SIGTERM: killed by procd's stop, reported 128+15.
    expect((await jobStatus(d, job.id)).state).toMatchObject({ kind: 'killed', exitCode: 143, kill: { signal: 'SIGTERM', forced: [] } });
  });

  it.skipIf(skip)(`each process of a multi-process job is stopped and continued ${method === 'signals' ? 'exactly once' : 'by the freezer, with no signal'}`, async () => {
    d = await start();
    dir = mkdtempSync(join(tmpdir(), 'procd-pause-'));
    const at = dir;
    const job = await countingJob(d, at);
    for (let round = 1; round <= 2; round++) {
      const paused = await pauseCall(d, 'pause', job.id);
      expect(isStopped(d, job.id, job.pids)).toBe(true);
      expect(paused.pids).toEqual(job.pids);
      const resumed = await pauseCall(d, 'resume', job.id);
      expect(resumed.pids).toEqual(job.pids);
      // Barrier: SIGWINCH (28) is delivered after any pending SIGCONT (18).
      expectExit(await d.cli(['signal', String(job.id), 'WINCH']), 0, 'signal WINCH');
      await waitFor(() => counts(at).every((c) => c.winch >= round), { what: `WINCH round ${round} to reach every process`, timeoutMs: 30_000 });
      const expected = method === 'signals' ? round : 0;
      expect(counts(at).map((c) => c.cont)).toEqual([expected, expected, expected, expected]);
    }
  });

  it.skipIf(skip)('a paused job stays paused across a daemon restart (its timeout too), and resumes the way it was paused', async () => {
    d = await start();
    // Paused at once (a pause waits for a starting job to run), so its 5 s timeout is far off.
    const job = await trackJob(d, ['--timeout', '5s', '--shell', 'sleep 1000 & sleep 1000']);
    const paused = await pauseCall(d, 'pause', job.id);
    const { state } = await jobStatus(d, job.id);
    if (state.kind !== 'paused') throw new Error(`expected paused, got ${state.kind}`);
    const pids = groupOf(state.pid);
    expectExit(await d.cli(['daemon', 'stop', '--keep-jobs']), 0, 'daemon stop --keep-jobs');
    expectExit(await d.cli(['daemon', 'start']), 0, 'daemon start');
    // The new daemon does not arm the timeout of a paused job: past it, the job is still paused.
    await waitFor(() => Date.now() >= state.startedAt + 7000, { what: 'the timeout and more to pass', timeoutMs: 15_000 });
    expect((await jobStatus(d, job.id)).state).toMatchObject({ kind: 'paused', pausedBy: method });
    expect(isStopped(d, job.id, pids)).toBe(true);
    const resumeAskedAt = Date.now();
    expect(await pauseCall(d, 'resume', job.id)).toMatchObject({ state: 'running', changed: true, method, pids: paused.pids });
    // Then the rest of its 5 s: it times out, and nothing of it is left.
    const ended = await waitForEnd(d, job.id);
    expect(ended.state).toMatchObject({ kind: 'timed_out' });
    if (ended.state.kind === 'timed_out') expect(ended.state.endedAt - ended.state.startedAt).toBeGreaterThanOrEqual(resumeAskedAt - state.pausedAt + 5000 - 50);
    await waitFor(() => groupOf(state.pid).length === 0, { what: 'every process of the job to be gone' });
  });
});

describe('pause and resume: bad input', () => {
  it('refuses jobs that are not running with JobNotRunning, reports each job given, and the daemon goes on', async () => {
    d = await startTestDaemon();
    const done = await trackJob(d, ['--wait', '--', 'true']);
    const live = await runningJob(d, ['--', 'sleep', '1000']);
    const r = await d.cli(['pause', '--json', String(done.id), String(live.id), '999']);
    expect(r.code).toBe(1);
    const items = parseJson<PauseOutcome[]>(r, 'pause');
    expect(items.map((i) => (i.ok ? i.state : i.error.name))).toEqual(['JobNotRunning', 'paused', 'JobNotFound']);
    const plain = await d.cli(['resume', String(done.id)]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain(`job ${done.id} (true) is not running: it is completed [JobNotRunning -32001]`);
    // Pausing twice and resuming twice are no-ops the second time.
    expect(await pauseCall(d, 'pause', live.id)).toMatchObject({ changed: false, state: 'paused' });
    expect(await pauseCall(d, 'resume', live.id)).toMatchObject({ changed: true, state: 'running' });
    expect(await pauseCall(d, 'resume', live.id)).toMatchObject({ changed: false, state: 'running' });
    expect((await d.cli(['pause'])).code).toBe(2);
    expect((await d.cli(['daemon', 'status'])).code).toBe(0);
  });
});
