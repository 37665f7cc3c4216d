// The daemon is not a single point of failure: SIGKILL it while jobs run, start it again, and
// every job is re-adopted or recorded with its real exit status, with no output lost.

import { readFileSync, writeFileSync, truncateSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/job.js';
import type { WaitResult } from '../../shared/methods.js';
import { FIXTURES, pidAlive, processGone, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, jobStatus, listJobs, parseJson, pidOf, trackJob, waitForEnd } from './helpers/jobs.js';
import { runningState } from '../helpers/job-factory.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
const external: ChildProcess[] = [];
beforeEach(async () => {
  d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '300ms' } });
});
afterEach(async () => {
  for (const c of external.splice(0)) c.kill('SIGKILL');
  await d?.cleanup();
});

const track = (args: string[]) => trackJob(d, args, { code: 0 });
const status = (id: number) => jobStatus(d, id);
const daemonPid = async () => (await daemonStatus(d)).pid;

describe('durability', () => {
  it('survives SIGKILL of the daemon: re-adopts running jobs, learns ends that happened meanwhile, loses no output', async () => {
    const chatty = await track(['--name', 'chatty', '--', process.execPath, join(FIXTURES, 'seq-writer.mjs'), '5']);
    const exit7 = await track(['--name', 'exit7', '--shell', 'read _ < "$PROCD_HOME/go7" 2>/dev/null || while [ ! -e "$PROCD_HOME/go7" ]; do sleep 0.05; done; exit 7']);
    const victim = await track(['--name', 'victim', '--', 'sleep', '1000']);
    const steady1 = await track(['--name', 'steady1', '--', 'sleep', '1001']);
    const steady2 = await track(['--name', 'steady2', '--', 'sleep', '1002']);
    await waitFor(async () => (await status(chatty.id)).output.stdoutBytes > 1000, { what: 'the chatty job to write' });

    const oldPid = await daemonPid();
    process.kill(oldPid, 'SIGKILL');
    await waitFor(() => processGone(oldPid), { what: 'the daemon to die' });

    // While the daemon is down: one job exits 7, one is SIGKILLed from outside, the rest go on.
    writeFileSync(join(d.home, 'go7'), '');
    process.kill(pidOf(victim), 'SIGKILL');
    await waitFor(() => !pidAlive(pidOf(exit7)), { what: 'the exit-7 job to end' });
    await waitFor(() => !pidAlive(pidOf(victim)), { what: 'the victim to die' });
    for (const j of [chatty, steady1, steady2]) expect(pidAlive(pidOf(j))).toBe(true);

    // Any CLI call autostarts a new daemon, which re-adopts.
    const jobs = await listJobs(d, ['--all']);
    expect(await daemonPid()).not.toBe(oldPid);
    const byName = new Map(jobs.map((j) => [j.name, j]));
    for (const name of ['chatty', 'steady1', 'steady2']) {
      const j = byName.get(name)!;
      expect(j.state.kind).toBe('running');
      expect(j.id).toBe(name === 'chatty' ? chatty.id : name === 'steady1' ? steady1.id : steady2.id);
    }
    expect(byName.get('exit7')!.state).toMatchObject({ kind: 'failed', exitCode: 7, signal: null });
    expect(byName.get('victim')!.state).toMatchObject({ kind: 'killed', signal: { name: 'SIGKILL' }, exitCode: 137 });

    // The re-adopted jobs are fully supervised again: kill works and finds the same process.
    const k = await d.cli(['kill', '--json', 'chatty']);
    expect(k.code).toBe(0);
    expect(pidAlive(pidOf(chatty))).toBe(false);
    const logs = await d.cli(['logs', 'chatty', '--stream', 'stdout']);
    const lines = logs.stdout.split('\n').filter(Boolean);
    // no gaps, no duplicates, nothing torn: seq 0..N-1 exactly
    expect(lines.length).toBeGreaterThan(100);
    lines.forEach((line, i) => expect(line).toBe(`seq ${i}`));
  });

  it('restart keeps jobs running; stop --keep-jobs leaves them for the next daemon', async () => {
    const job = await track(['--', 'sleep', '1003']);
    const before = await daemonPid();
    const r = await d.cli(['daemon', 'restart']);
    expect(r.code).toBe(0);
    expect(await daemonPid()).not.toBe(before);
    expect((await status(job.id)).state).toMatchObject({ kind: 'running', pid: pidOf(job) });
    expect(pidAlive(pidOf(job))).toBe(true);
    const stop = await d.cli(['daemon', 'stop', '--keep-jobs']);
    expect(stop.stdout).toMatch(/left running/);
    expect(pidAlive(pidOf(job))).toBe(true);
    expect((await status(job.id)).state.kind).toBe('running');
    // a timeout set before the restart is still enforced by the new daemon
    const timed = await track(['--timeout', '1500ms', '--', 'sleep', '1004']);
    expect((await d.cli(['daemon', 'restart'])).code).toBe(0);
    // waits for any end, so a wrong one (lost, killed) is shown as such rather than as a timeout
    const done = await waitForEnd(d, timed.id);
    expect(done.state).toMatchObject({ kind: 'timed_out', kill: { reason: 'timeout' } });
  });

  it('with PROCD_SIGTERM=keep-jobs (as the service units set it), SIGTERM keeps jobs for the next daemon', async () => {
    await d.cleanup();
    d = await startTestDaemon({ env: { PROCD_SIGTERM: 'keep-jobs' } });
    const job = await track(['--', 'sleep', '1007']);
    const pid = await daemonPid();
    process.kill(pid, 'SIGTERM');
    await waitFor(() => processGone(pid), { what: 'the daemon to exit' });
    expect(pidAlive(pidOf(job))).toBe(true);
    expect((await status(job.id)).state).toMatchObject({ kind: 'running', pid: pidOf(job) });
    // without it, SIGTERM is a full stop: jobs included
    await d.cleanup();
    d = await startTestDaemon();
    const job2 = await track(['--', 'sleep', '1008']);
    const pid2 = await daemonPid();
    process.kill(pid2, 'SIGTERM');
    await waitFor(() => processGone(pid2), { what: 'the daemon to exit' });
    expect(pidAlive(pidOf(job2))).toBe(false);
  });

  it('never adopts an unrelated process that reuses a recorded pid', async () => {
    const stranger = spawn('sleep', ['1005'], { detached: true, stdio: 'ignore' });
    external.push(stranger);
    const job = await track(['--', 'sleep', '1006']);
    expect((await d.cli(['daemon', 'stop'])).code).toBe(0);
    // Point the recorded job at the stranger's pid, as if the pid had been reused.
    const stateFile = join(d.home, 'state.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { jobs: Job[] };
    const recorded = state.jobs.find((j) => j.id === job.id)!;
    recorded.state = runningState({ startedAt: Date.now() - 1000, pid: stranger.pid!, startTicks: 1, shimPid: 999_999 });
    writeFileSync(stateFile, JSON.stringify(state));
    const after = await status(job.id);
    expect(after.state.kind).toBe('killed'); // its own exit file (from the stop) wins: the real story
    // and with no exit file at all, a pid with another start time is lost, never adopted
    recorded.id = 99;
    recorded.name = 'ghost';
    recorded.dir = join(d.home, 'jobs', '99');
    state.jobs.push(recorded);
    expect((await d.cli(['daemon', 'stop'])).code).toBe(0);
    writeFileSync(stateFile, JSON.stringify(state));
    const ghost = await status(99);
    expect(ghost.state).toMatchObject({ kind: 'lost', exitCode: null });
    expect(pidAlive(stranger.pid!)).toBe(true);
    const k = await d.cli(['kill', '99']);
    expect(k.code).toBe(1);
    expect(pidAlive(stranger.pid!)).toBe(true);
  });

  it('without a recorded start time, a pid is adopted only if the process carries the job\'s markers', async () => {
    const stranger = spawn('sleep', ['1007'], { detached: true, stdio: 'ignore' });
    external.push(stranger);
    const mine = await track(['--', 'sleep', '1008']);
    expect((await d.cli(['daemon', 'stop', '--keep-jobs'])).code).toBe(0);
    const stateFile = join(d.home, 'state.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { jobs: Job[] };
    const recorded = state.jobs.find((j) => j.id === mine.id)!;
    if (recorded.state.kind !== 'running') throw new Error('expected a running record');
    recorded.state.startTicks = null; // its own process, start time unknown: the markers vouch for it
    // (A record of its own: no cgroup of another job's.)
    const ghost: Job = { ...recorded, id: 98, name: 'ghost', dir: join(d.home, 'jobs', '98'), cgroup: null, state: { ...recorded.state, pid: stranger.pid!, startTicks: null } };
    state.jobs.push(ghost);
    writeFileSync(stateFile, JSON.stringify(state));
    // Lost, and the stranger now under its pid is not taken for its own: no pid kept, no leftovers.
    const ghostNow = await status(98);
    expect(ghostNow.state).toMatchObject({ kind: 'lost', exitCode: null, pid: null });
    expect((await status(mine.id)).state).toMatchObject({ kind: 'running', pid: pidOf(mine) });
    // Past the leftover check and its automatic clean-up (0.5 s + 2 s after the end, at 300 ms ticks).
    const endedAt = ghostNow.state.kind === 'lost' ? ghostNow.state.endedAt : 0;
    const client = await d.client();
    const from = (await client.daemonStatus({})).monitor.ticks;
    await waitFor(async () => Date.now() > endedAt + 3500 && (await client.daemonStatus({})).monitor.ticks >= from + 12, { what: 'the monitor to pass the leftover clean-up', timeoutMs: 30_000 });
    const ghostAfter = await status(98);
    expect([...ghostAfter.flags, ...ghostAfter.flagHistory].map((f) => f.kind)).not.toContain('leftovers');
    expect(pidAlive(stranger.pid!)).toBe(true);
  });

  it('a stop interrupted by a daemon crash is finished by the next daemon (SIGKILL after the rest of the grace)', async () => {
    const job = await track(['--', 'sh', '-c', 'trap "echo ignoring TERM" TERM; echo ready; while :; do sleep 0.1; done']);
    await waitFor(async () => (await d.cli(['logs', String(job.id)])).stdout.includes('ready'), { what: 'the trap' });
    const first = await daemonPid();
    const kill = d.cli(['kill', String(job.id), '--grace', '3s']);
    await waitFor(async () => (await status(job.id)).pendingKill !== null, { what: 'the stop to begin' });
    process.kill(first, 'SIGKILL');
    await kill; // its connection dropped
    await waitFor(() => processGone(first), { what: 'the daemon to be gone' });
    const done = await waitFor(async () => {
      const j = await status(job.id);
      return j.state.kind === 'killed' ? j : null;
    }, { what: 'the stop to finish under the new daemon', timeoutMs: 20_000 });
    // the record is the one the user's request made: its grace and time, not the resumed remainder
    expect(done.state).toMatchObject({ kind: 'killed', kill: { reason: 'user', signal: 'SIGTERM', graceMs: 3000 } });
    expect(done.state.kind === 'killed' && done.state.forced).toBe(true);
    expect(pidAlive(pidOf(job))).toBe(false);
  });

  it("a run's resource peaks survive a daemon crash", async () => {
    // holds 150 MB until a gate file appears, then gives it back: the peak is seen however slow the
    // sampling (a file, not SIGUSR1, which Node reserves for its inspector)
    const gate = join(d.home, 'release-memory');
    const script = `let b = Buffer.alloc(150e6, 1); const t = setInterval(() => { if (require('fs').existsSync(${JSON.stringify(gate)})) { b = null; gc(); clearInterval(t); setInterval(() => gc(), 500); } }, 50);`;
    const job = await track(['--', process.execPath, '--expose-gc', '-e', script]);
    await waitFor(async () => ((await status(job.id)).resources?.rssPeak ?? 0) >= 140e6, { what: 'the peak', timeoutMs: 20_000 });
    writeFileSync(gate, '');
    await waitFor(async () => ((await status(job.id)).resources?.last?.rssBytes ?? Infinity) < 100e6, { what: 'the memory to be given back', timeoutMs: 20_000 });
    const first = await daemonPid();
    process.kill(first, 'SIGKILL');
    await waitFor(() => processGone(first), { what: 'the daemon to be gone' });
    const after = await status(job.id);
    expect(after.state.kind).toBe('running');
    expect(after.resources!.rssPeak).toBeGreaterThanOrEqual(140e6);
  });

  it('a job whose shim is killed does not stay running forever: it is watched by pid and ends lost', async () => {
    const job = await track(['--', 'sleep', '1']);
    const shim = job.state.kind === 'running' ? job.state.shimPid! : -1;
    process.kill(shim, 'SIGKILL');
    const w = await d.cli(['wait', '--json', String(job.id)], { timeoutMs: 20_000 });
    const [ended] = parseJson<WaitResult>(w, 'wait --json').jobs;
    expect(ended!.state).toMatchObject({ kind: 'lost', exitCode: null });
    expect(w.code).toBe(1);
  });

  it('starts on a truncated or garbage state file, uses the last good copy and says so', async () => {
    await track(['--name', 'keep', '--', 'true']);
    await d.cli(['wait', 'keep']);
    expect((await d.cli(['daemon', 'stop'])).code).toBe(0); // writes a snapshot (and a .bak of the previous)
    expect((await d.cli(['daemon', 'status'])).code).toBe(1);
    await d.cli(['daemon', 'start']);
    expect((await d.cli(['daemon', 'stop'])).code).toBe(0); // now .bak holds the job too
    truncateSync(join(d.home, 'state.json'), 17);
    const s = await d.cli(['daemon', 'status', '--json']);
    expect(s.code).toBe(1); // not running yet: status does not autostart
    const ls = await listJobs(d, ['--all']);
    expect(ls.map((j) => j.name)).toEqual(['keep']);
    const st = await daemonStatus(d);
    expect(st.warnings.join('\n')).toMatch(/damaged/);
    expect((await d.cli(['daemon', 'status'])).stdout).toMatch(/warning/);

    expect((await d.cli(['daemon', 'stop'])).code).toBe(0);
    writeFileSync(join(d.home, 'state.json'), '\u0000garbage{{{');
    writeFileSync(join(d.home, 'state.json.bak'), 'also garbage');
    const r = await d.cli(['ls', '--all', '--json']);
    expect(r.code).toBe(0); // the daemon starts in every case
    const st2 = await daemonStatus(d);
    expect(st2.warnings.length).toBeGreaterThanOrEqual(2);
  });
});
