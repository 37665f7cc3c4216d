// Job records survive a daemon restart, graceful or not.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pidAlive, processGone, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, jobStatus, listJobs, pidOf, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  await d?.cleanup();
});

describe('restart', () => {
  it('keeps the records of finished jobs across a graceful restart and a SIGKILL', async () => {
    expect((await d.cli(['track', '--wait', '--name', 'ok', '--', 'true'])).code).toBe(0);
    expect((await d.cli(['track', '--wait', '--name', 'bad', '--shell', 'echo oops; exit 4'])).code).toBe(4);
    expect((await d.cli(['daemon', 'stop'])).code).toBe(0);
    const after = await listJobs(d, ['--all']);
    expect(after.map((j) => [j.id, j.name, j.state.kind])).toEqual([
      [1, 'ok', 'completed'],
      [2, 'bad', 'failed'],
    ]);
    expect((await d.cli(['logs', 'bad'])).stdout).toBe('oops\n');

    // A crash right after an acknowledged change loses nothing: the journal is fsynced first.
    expect((await d.cli(['track', '--wait', '--name', 'third', '--', 'true'])).code).toBe(0);
    const status = await daemonStatus(d);
    process.kill(status.pid, 'SIGKILL');
    const again = await listJobs(d, ['--all']);
    expect(again.map((j) => j.name)).toEqual(['ok', 'bad', 'third']);
    // ids keep counting; none is reused
    const next = await trackJob(d, ['--', 'true']);
    expect(next.id).toBe(4);
  });

  it('a job that ended while no daemon ran, its shim still writing the status, is recorded with that status, not lost', async () => {
    const job = await trackJob(d, ['--', 'sleep', '1010']);
    const shimPid = job.state.kind === 'running' ? job.state.shimPid : null;
    expect(shimPid).toBeGreaterThan(0);
    const daemonPid = (await daemonStatus(d)).pid;
    process.kill(daemonPid, 'SIGKILL');
    await waitFor(() => processGone(daemonPid), { what: 'the daemon to die' });
    // A stopped shim has not reaped its job nor written the exit file yet: a slow shim, frozen.
    process.kill(shimPid!, 'SIGSTOP');
    try {
      process.kill(pidOf(job), 'SIGKILL');
      await waitFor(() => !pidAlive(pidOf(job)), { what: 'the job to die' });
      // The next daemon (autostarted) recovers it while the shim is still frozen.
      expect((await jobStatus(d, job.id)).state.kind).toBe('running');
      process.kill(shimPid!, 'SIGCONT');
      const done = await waitForEnd(d, job.id);
      expect(done.state).toMatchObject({ kind: 'killed', signal: { name: 'SIGKILL' }, exitCode: 137 });
    } finally {
      if (pidAlive(shimPid!)) process.kill(shimPid!, 'SIGCONT');
    }
  });
});
