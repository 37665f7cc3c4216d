// Edges a scripting user hits: what `track` prints into a pipe, options after `--`, stray
// arguments, bad signals, the library's default environment, and what `wait` reports when a
// job is stopped or removed under it.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WaitResult } from '../../shared/methods.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, jobLogs, jobStatus } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon({ env: { PROCD_GRACE: '300ms' } });
});
afterEach(async () => {
  await d?.cleanup();
});

const status = (id: number) => jobStatus(d, id);

describe('cli edges', () => {
  it('track into a pipe prints the id alone; --json after -- belongs to the job', async () => {
    const r = await d.cli(['track', '--', 'echo', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1\n');
    await waitFor(async () => (await status(1)).state.kind === 'completed', { what: 'the job to end' });
    expect((await d.cli(['logs', '1'])).stdout).toBe('--json\n');
  });

  it('a stray argument to a command that takes none is a usage error, and nothing is removed', async () => {
    expect((await d.cli(['track', '--wait', '--', 'true'])).code).toBe(0);
    const r = await d.cli(['prune', '7d']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unexpected argument "7d"/);
    expect((await status(1)).state.kind).toBe('completed');
    expect((await d.cli(['ls', 'extra'])).code).toBe(2);
  });

  it('an unknown signal is a usage error (exit 2) naming the signal', async () => {
    const id = (await d.cli(['track', '--', 'sleep', '100'])).stdout.trim();
    const r = await d.cli(['signal', id, 'NOPE']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown signal: NOPE/);
    expect((await d.cli(['kill', id, '--signal', 'BOGUS'])).code).toBe(2);
    expect((await status(Number(id))).state.kind).toBe('running');
  });

  it('a job that catches SIGTERM and exits 0 is killed with 143, in status and in wait', async () => {
    const id = (await d.cli(['track', '--', 'sh', '-c', 'trap "exit 0" TERM; echo ready; while :; do sleep 0.05; done'])).stdout.trim();
    await waitFor(async () => (await d.cli(['logs', id])).stdout === 'ready\n', { what: 'the trap to be set' });
    expect((await d.cli(['kill', id])).code).toBe(0);
    expect((await status(Number(id))).state).toMatchObject({ kind: 'killed', exitCode: 143, signal: null, kill: { signal: 'SIGTERM' } });
    expect((await d.cli(['wait', id])).code).toBe(143);
  });

  it('wait answers a forced kill with the complete kill record', async () => {
    const c = await d.client();
    const job = await c.track({ argv: ['sh', '-c', 'trap "" TERM; sleep 100 & wait; sleep 100'], cwd: '/' });
    await waitFor(async () => ((await c.status({ job: job.id, tree: true })).tree ?? []).length >= 2, { what: 'the shell and its sleep' });
    const waited = c.wait({ jobs: [job.id] });
    const [killed] = await c.kill({ jobs: [job.id] });
    if (!killed?.ok) throw new Error(`kill did not stop the job: ${JSON.stringify(killed)}`);
    const w: WaitResult = await waited;
    expect(killed.forced.length).toBeGreaterThan(0);
    expect(w.jobs[0]!.state).toMatchObject({ kind: 'killed', forced: true, kill: { signalled: killed.signalled, forced: killed.forced } });
  });

  it('wait on a job removed meanwhile is an error, never a silent success', async () => {
    // The waiter's connection shows before its `wait` call arrives: on a busy machine the rm can
    // come first (then the job is simply not found). Such a round proves nothing: try again.
    for (let round = 1; ; round++) {
      const id = (await d.cli(['track', '--name', `gone-${round}`, '--', 'sleep', '100'])).stdout.trim();
      const waiting = d.cli(['wait', `gone-${round}`]);
      await waitFor(async () => (await daemonStatus(d)).connections >= 2, { what: 'the waiter to be connected' });
      expect((await d.cli(['rm', '--force', id])).code).toBe(0);
      const w = await waiting;
      expect(w.code).toBe(1);
      if (/removed while waiting/.test(w.stderr)) break;
      expect(w.stderr).toMatch(/no job/i);
      expect(round, 'the rm came before the wait call in every round').toBeLessThan(5);
    }
  });

  it('the library runs a job with the caller’s environment unless told otherwise', async () => {
    process.env.PROCD_TEST_FROM_CALLER = 'caller';
    try {
      const c = await d.client();
      const job = await c.track({ argv: ['sh', '-c', 'echo "[$PROCD_TEST_FROM_CALLER]"'], cwd: '/' });
      await c.wait({ jobs: [job.id] });
      expect((await d.cli(['logs', String(job.id)])).stdout).toBe('[caller]\n');
      const bare = await c.track({ argv: ['sh', '-c', 'echo "[$PROCD_TEST_FROM_CALLER]"'], cwd: '/', env: { PATH: process.env.PATH! } });
      await c.wait({ jobs: [bare.id] });
      expect((await d.cli(['logs', String(bare.id)])).stdout).toBe('[]\n');
    } finally {
      delete process.env.PROCD_TEST_FROM_CALLER;
    }
  });

  it('logs --since and --tail together start at whichever is later', async () => {
    // Output times are kept to the second, so the new line is written well over a second after
    // the old ones: the job holds it until the test says so. That gap is the input under test,
    // not a wait for something to happen; the window checked below is then computed from what the
    // test saw, so a slow machine (slow CLI calls) cannot move it.
    const go = join(d.home, 'go');
    const id = (await d.cli(['track', '--', 'sh', '-c', `echo old1; echo old2; while [ ! -e ${go} ]; do sleep 0.05; done; echo new1`])).stdout.trim();
    await waitFor(async () => (await jobLogs(d, id)) === 'old1\nold2\n', { what: 'the old lines' });
    const oldSeen = Date.now(); // the old lines were stored at or (by a few ms) before this
    await delay(oldSeen + 2750 - Date.now());
    writeFileSync(go, ''); // new1 is stored after oldSeen + 2750
    await waitFor(async () => (await status(Number(id))).state.kind === 'completed', { what: 'the job to end', timeoutMs: 20_000 });
    expect((await d.cli(['logs', id, '--tail', '5'])).stdout).toBe('old1\nold2\nnew1\n');
    // a window from oldSeen + 1.25 s: past the old lines' second, before new1 unless the CLI takes 1.5 s to start
    const sinceMs = Date.now() - (oldSeen + 1250);
    expect((await d.cli(['logs', id, '--since', `${sinceMs}ms`, '--tail', '5'])).stdout).toBe('new1\n');
    expect((await d.cli(['logs', id, '--since', '1h', '--tail', '1'])).stdout).toBe('new1\n');
  });
});
