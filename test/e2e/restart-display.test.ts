// Restarts as a person reads them, from a real daemon: `procd status` of a job waiting to restart
// shows its policy with the figures, the run and restart count, how the last run ended and the next
// attempt; `procd ls` shows `restarting ↻1` with when (TIME) and the last run's exit (EXIT), and
// `failed ↻2` once the policy gave up.

import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobStatus, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

/** `procd ls`'s row for a job, split into its cells (two spaces or more between cells). */
async function lsRow(daemon: TestDaemon, name: string): Promise<string[]> {
  const r = await daemon.cli(['ls'], { env: { ...daemon.env, COLUMNS: '200' } });
  expectExit(r, 0, 'ls');
  const line = r.stdout.split('\n').find((l) => l.split(/ {2,}/)[1] === name);
  if (!line) throw new Error(`no ls row for ${name}:\n${r.stdout}`);
  return line.split(/ {2,}/);
}

describe('restarts in status and ls', () => {
  it('a job waiting to restart: status says policy, run, restarts, last run and next attempt; ls says restarting ↻1, when, and the last exit', async () => {
    d = await startTestDaemon();
    const job = await trackJob(d, ['--name', 'svc', '--restart', 'always', '--restart-delay', '10m', '--restart-max-delay', '20m', '--shell', 'exit 2']);
    await waitFor(async () => (await jobStatus(d!, job.id)).state.kind === 'queued', { what: 'the job to wait for its restart' });
    const status = await d.cli(['status', 'svc']);
    expectExit(status, 0, 'status svc');
    const rows = new Map(status.stdout.split('\n').map((l) => /^(\S+(?: \S+)*?) {2,}(.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m[1]!, m[2]!]));
    expect(rows.get('state')).toBe('queued');
    expect(rows.get('restart')).toBe('always: delay 10m00s ×2 up to 20m00s ±10%, reset after 30s up; restarts: no limit');
    expect(rows.get('run')).toBe('2 (not started yet), restarts so far: 1');
    expect(rows.get('last run')).toMatch(/^run 1: failed, exit 2 after \S+, ended \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(.+\)$/);
    // ±10% of 10 minutes: between 9 and 11 minutes ahead, less the seconds a busy machine took to get here.
    expect(rows.get('next attempt')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(in (8m[3-5]\ds|(9|10|11)m\d\ds)\)$/);
    expect(rows.get('queued')).toMatch(/run 1 exited 2; restart 1 \(always\)/);

    const row = await lsRow(d, 'svc');
    expect(row.slice(2, 6)).toEqual(['restarting ↻1', '-', expect.stringMatching(/^in (9|10|11)m$/), '2']);
  });

  it('a job whose policy gave up: ls says failed ↻2, status the last run and the restarts', async () => {
    d = await startTestDaemon();
    const job = await trackJob(d, ['--name', 'flaky', '--restart', 'on-failure', '--restart-delay', '100ms', '--max-restarts', '2', '--shell', 'exit 3']);
    await waitForEnd(d, job.id, { timeoutMs: 30_000 });
    expect((await lsRow(d, 'flaky')).slice(2, 6)).toEqual(['failed ↻2', '-', expect.any(String), '3']);
    const status = await d.cli(['status', 'flaky']);
    expect(status.stdout).toMatch(/^run +3, restarts so far: 2$/m);
    expect(status.stdout).toMatch(/^last run +run 2: failed, exit 3 after /m);
    expect(status.stdout).toMatch(/^restart +on-failure: delay 100ms ×2 up to 1m00s ±10%, reset after 30s up; restarts: at most 2 in 10m00s$/m);
    expect(status.stdout).not.toMatch(/^next attempt/m);
  });
});
