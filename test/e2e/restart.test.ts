// Job records survive a daemon restart, graceful or not.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, listJobs, trackJob } from './helpers/jobs.js';

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
});
