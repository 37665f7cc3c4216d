// What jobs leave behind (leftovers of finished jobs, zombies, old records) and `procd cleanup`.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/job.js';
import type { CleanupResult } from '../../shared/methods.js';
import { FIXTURES, pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, flagOf, jobStatus, listJobs, parseJson, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const INTERVAL_MS = 300;

let d: TestDaemon | undefined;
/** Leftovers the test knows about by pid (escaped their job): killed after each test, whatever happened. */
const strays: number[] = [];

afterEach(async () => {
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await d?.cleanup();
  d = undefined;
});

async function start(env: Record<string, string> = {}): Promise<TestDaemon> {
  d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: `${INTERVAL_MS}ms`, ...env } });
  return d;
}

const track = (args: string[]) => trackJob(d!, args);
const status = (id: number) => jobStatus(d!, id);
const ended = (id: number) => waitForEnd(d!, id);

async function cleanupJson(args: string[]): Promise<CleanupResult> {
  const r = await d!.cli(['cleanup', '--json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return parseJson<CleanupResult>(r, 'cleanup');
}

/** Runs the leftover fixture as a job; returns the finished job and its escaped grandchild's pid. */
async function leftoverJob(seconds: string, options: string[] = []): Promise<{ job: JobView; grandchild: number }> {
  const job = await track([...options, '--', 'perl', join(FIXTURES, 'aw-leftover.pl'), seconds]);
  const done = await ended(job.id);
  expect(done.state.kind).toBe('completed');
  const m = /grandchild (\d+)/.exec((await d!.cli(['logs', String(job.id)])).stdout);
  expect(m).not.toBeNull();
  const grandchild = Number(m![1]);
  strays.push(grandchild);
  // it escaped: another session and group than the job's, and the job is not its parent
  // (unless an automatic cleanup already took it)
  const jobPid = 'pid' in done.state ? done.state.pid : -1;
  expect(jobPid).toBeGreaterThan(0);
  let raw = '';
  try {
    raw = readFileSync(`/proc/${grandchild}/stat`, 'utf8');
  } catch {
    // gone
  }
  if (raw) {
    const [, ppid, pgid, sid] = raw.slice(raw.lastIndexOf(')') + 2).split(' ').map(Number);
    expect([ppid, pgid, sid]).not.toContain(jobPid);
  }
  return { job: done, grandchild };
}

describe('leftovers and cleanup', () => {
  it('a double-forked setsid grandchild is a leftover: flagged, listed, reported by --dry-run, killed by cleanup', async () => {
    await start({ PROCD_AUTO_CLEANUP: 'off' });
    const { job, grandchild } = await leftoverJob('1021');
    expect(pidAlive(grandchild)).toBe(true);

    const flagged = await waitFor(async () => {
      const j = await status(job.id);
      return flagOf(j, 'leftovers') ? j : null;
    }, { what: 'the leftovers flag' });
    const flag = flagOf(flagged, 'leftovers')!;
    expect(flag.pids).toEqual([grandchild]);
    expect(flag.data).toMatchObject({ count: 1 });
    expect(flag.detail).toContain(String(grandchild));
    expect(flagged.state.kind).toBe('completed');

    const ls = await d!.cli(['ls']);
    expect(ls.stdout).toMatch(new RegExp(`^${job.id}\\s.*completed.*leftovers:1`, 'm'));

    const dry = await cleanupJson(['--dry-run']);
    expect(dry).toMatchObject({ dryRun: true, leftovers: { jobs: [job.id], pids: [grandchild], signalled: [], forced: [] }, zombies: [], pruned: [] });
    expect(pidAlive(grandchild)).toBe(true);
    const dryText = await d!.cli(['cleanup', '--dry-run']);
    expect(dryText.stdout).toMatch(new RegExp(`would kill: ${grandchild}`));
    expect(pidAlive(grandchild)).toBe(true);

    const done = await cleanupJson([]);
    expect(done.dryRun).toBe(false);
    expect(done.leftovers.jobs).toEqual([job.id]);
    expect(done.leftovers.pids).toEqual([grandchild]);
    expect(done.leftovers.signalled).toEqual([grandchild]);
    expect(done.leftovers.forced).toEqual([]);
    expect(pidAlive(grandchild)).toBe(false);

    const after = await waitFor(async () => {
      const j = await status(job.id);
      return flagOf(j, 'leftovers') ? null : j;
    }, { what: 'the leftovers flag to clear' });
    // (a duplicate history entry from a race with the monitor tick is checked in
    // test/unit/monitor/monitor-leftovers.test.ts)
    const history = after.flagHistory.filter((f) => f.kind === 'leftovers');
    expect(history.length).toBeGreaterThanOrEqual(1);
    expect(history[0]!.pids).toEqual([grandchild]);
    expect(history[0]!.clearedAt).toBeGreaterThanOrEqual(history[0]!.raisedAt);
    expect(after.state.kind).toBe('completed');
    // nothing left to do
    expect((await cleanupJson([])).leftovers).toEqual({ jobs: [], pids: [], signalled: [], forced: [] });
  });

  it("cleanup --owner kills only that owner's leftovers", async () => {
    await start({ PROCD_AUTO_CLEANUP: 'off' });
    const mine = await leftoverJob('1023', ['--owner', 'agent-a']);
    const theirs = await leftoverJob('1024', ['--owner', 'agent-b']);
    await waitFor(async () => (flagOf(await status(theirs.job.id), 'leftovers') && flagOf(await status(mine.job.id), 'leftovers') ? true : null), { what: 'both leftovers flags' });
    const done = await cleanupJson(['--owner', 'agent-a']);
    expect(done.stopped).toEqual([]);
    expect(done.leftovers).toEqual({ jobs: [mine.job.id], pids: [mine.grandchild], signalled: [mine.grandchild], forced: [] });
    expect(pidAlive(mine.grandchild)).toBe(false);
    expect(pidAlive(theirs.grandchild)).toBe(true);
  });

  it('with autoCleanup on, the leftover is killed automatically shortly after the job ends', async () => {
    await start({ PROCD_AUTO_CLEANUP: '300ms' });
    const { job, grandchild } = await leftoverJob('1022');
    await waitFor(() => !pidAlive(grandchild), { what: 'the leftover to be killed', timeoutMs: 15_000 });
    const after = await waitFor(async () => {
      const j = await status(job.id);
      return !flagOf(j, 'leftovers') && j.flagHistory.some((f) => f.kind === 'leftovers') ? j : null;
    }, { what: 'the leftovers flag to be cleared' });
    expect(after.flagHistory.find((f) => f.kind === 'leftovers')!.pids).toEqual([grandchild]);
    expect(after.state.kind).toBe('completed');
    expect((await cleanupJson(['--dry-run'])).leftovers.pids).toEqual([]);
  });

  it('autoCleanup still kills a leftover flagged before the daemon was SIGKILLed and restarted', async () => {
    // 8 s: time to see the flag and SIGKILL the daemon before the cleanup is due, on a busy machine
    await start({ PROCD_AUTO_CLEANUP: '8s' });
    const { job, grandchild } = await leftoverJob('1025');
    await waitFor(async () => flagOf(await status(job.id), 'leftovers'), { what: 'the leftovers flag' });
    const before = await daemonStatus(d!);
    process.kill(before.pid, 'SIGKILL');
    await waitFor(() => !pidAlive(before.pid), { what: 'the daemon to be gone' });
    expect(pidAlive(grandchild)).toBe(true);
    const restarted = await d!.cli(['daemon', 'start']);
    expect(restarted.code).toBe(0);
    // the flag survived the crash: still raised, or already cleared by the new daemon's cleanup
    // (the delay may have passed by the time this status call is answered on a busy machine)
    const reloaded = await status(job.id);
    expect((flagOf(reloaded, 'leftovers') ?? reloaded.flagHistory.find((f) => f.kind === 'leftovers'))?.pids).toEqual([grandchild]);
    // the job ended more than the delay ago by now (or soon): the leftover must go
    await waitFor(() => !pidAlive(grandchild), { what: 'the leftover to be cleaned up after the restart', timeoutMs: 20_000, everyMs: 100 });
  });

  it('a zombie younger than the zombie threshold is not reported, and its parent is never stopped', async () => {
    await start({ PROCD_AUTO_CLEANUP: 'off', PROCD_ZOMBIE_AFTER: '1h' });
    const job = await track(['--', 'perl', join(FIXTURES, 'aw-zombie.pl')]);
    const m = await waitFor(async () => /parent (\d+) zombie (\d+)/.exec((await d!.cli(['logs', String(job.id)])).stdout), { what: 'the fixture to report its pids' });
    const zombie = Number(m[2]);
    await waitFor(() => existsSync(`/proc/${zombie}`) && !pidAlive(zombie), { what: 'the child to be a zombie' });
    const r = await cleanupJson(['--reap-parents']);
    expect(r.zombies).toEqual([]);
    expect(r.reapedParents).toEqual([]);
    expect((await status(job.id)).state.kind).toBe('running');
  });

  it('reports zombies with the parents that do not reap them; --reap-parents stops those parents', async () => {
    await start({ PROCD_AUTO_CLEANUP: 'off', PROCD_GRACE: '1s', PROCD_ZOMBIE_AFTER: '300ms' });
    const job = await track(['--', 'perl', join(FIXTURES, 'aw-zombie.pl')]);
    const m = await waitFor(async () => /parent (\d+) zombie (\d+)/.exec((await d!.cli(['logs', String(job.id)])).stdout), { what: 'the fixture to report its pids' });
    const parent = Number(m[1]);
    const zombie = Number(m[2]);
    await waitFor(() => existsSync(`/proc/${zombie}`) && !pidAlive(zombie), { what: 'the child to be a zombie' });
    // old enough by the daemon's own watch: the flag is raised from the same observation
    await waitFor(async () => flagOf(await status(job.id), 'zombie'), { what: 'the zombie flag' });

    const dry = await cleanupJson(['--dry-run']);
    expect(dry.zombies).toEqual([{ pid: zombie, ppid: parent, jobId: job.id }]);
    expect(dry.reapedParents).toEqual([]);

    // without --reap-parents: reported, the parent is left alone
    const report = await cleanupJson([]);
    expect(report.zombies).toEqual([{ pid: zombie, ppid: parent, jobId: job.id }]);
    expect(report.reapedParents).toEqual([]);
    expect(pidAlive(parent)).toBe(true);
    const text = await d!.cli(['cleanup']);
    expect(text.stdout).toContain(`pid ${zombie} (job ${job.id}) not reaped by parent ${parent}`);
    expect(text.stdout).toMatch(/--reap-parents/);

    const reaped = await cleanupJson(['--reap-parents']);
    expect(reaped.reapedParents).toEqual([parent]);
    expect(pidAlive(parent)).toBe(false);
    const done = await ended(job.id);
    expect(done.state).toMatchObject({ kind: 'killed', signal: { name: 'SIGTERM' } });
    // the zombie is no longer the parent's: it was reaped, or handed to init
    const stillThere = existsSync(`/proc/${zombie}`) ? Number(readFileSync(`/proc/${zombie}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]) : null;
    expect(stillThere === null || stillThere !== parent).toBe(true);
  });

  it('prunes finished records older than --retention, never running ones', async () => {
    await start({ PROCD_AUTO_CLEANUP: 'off' });
    const quick = await track(['--', 'true']);
    const running = await track(['--', 'sleep', '1023']);
    await ended(quick.id);
    await waitFor(async () => Date.now() > ((await status(quick.id)).state as { endedAt: number }).endedAt + 5, { what: 'the finished job to be older than 0s' });

    const keep = await cleanupJson(['--retention', '1h']);
    expect(keep.pruned).toEqual([]);
    const dry = await cleanupJson(['--dry-run', '--retention', '0s']);
    expect(dry.pruned).toEqual([quick.id]);
    expect((await d!.cli(['status', String(quick.id)])).code).toBe(0);

    const pruned = await cleanupJson(['--retention', '0s']);
    expect(pruned.pruned).toEqual([quick.id]);
    const gone = await d!.cli(['status', String(quick.id)]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/JobNotFound/);
    expect(existsSync(quick.dir)).toBe(false);
    expect((await status(running.id)).state.kind).toBe('running');
    const text = await d!.cli(['cleanup', '--retention', '0s']);
    expect(text.stdout).toMatch(/pruned: 0 finished job records/);
  });

  it('--max-records prunes the oldest finished records beyond the limit', async () => {
    await start({ PROCD_AUTO_CLEANUP: 'off' });
    for (let i = 0; i < 3; i++) await ended((await track(['--', 'true'])).id);
    const running = await track(['--', 'sleep', '1024']);
    const r = await cleanupJson(['--max-records', '2']);
    expect(r.pruned).toEqual([1, 2]);
    const left = await listJobs(d!, ['--all']);
    expect(left.map((j) => j.id)).toEqual([3, running.id]);
  });
});

