// Restart policies against a real daemon: a failing job restarts with growing delays (read from
// the recorded run starts, with tolerances) and the policy gives up at --max-restarts; `always`
// restarts a job that exited 0; `procd kill` stops a job waiting to restart for good; a backoff
// in progress survives a daemon SIGKILL (the next run starts at the recorded time, not earlier).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../shared/methods.js';
import { processGone, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, jobStatus, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

/** Run starts, in order: the earlier runs' and the current one's. */
function runStarts(job: JobStatus): number[] {
  const current = 'startedAt' in job.state ? [job.state.startedAt] : [];
  return [...(job.runs?.earlier ?? []).map((r) => r.startedAt), ...current];
}

describe('restart policies', () => {
  it('on-failure restarts with growing delays, then gives up: failed, restarts_exhausted, the last exit code', async () => {
    d = await startTestDaemon();
    const job = await trackJob(d, ['--name', 'flaky', '--restart', 'on-failure', '--restart-delay', '400ms', '--max-restarts', '3', '--shell', 'echo "run $$"; exit 3']);
    expect(job.spec.restart).toMatchObject({ policy: 'on-failure', delayMs: 400, factor: 2, maxRestarts: 3 });
    const ended = await waitForEnd(d, job.id, { timeoutMs: 30_000 });
    expect(ended.state).toMatchObject({ kind: 'failed', outcome: 'restarts_exhausted', exitCode: 3 });
    expect(ended.runs).toMatchObject({ current: 4, restarts: 3 });
    const earlier = ended.runs!.earlier;
    expect(earlier.map((r) => [r.run, r.state, r.outcome, r.exitCode, r.then])).toEqual([1, 2, 3].map((n) => [n, 'failed', 'exit', 3, 'restart']));
    // The delay before run k+1 is 400 ms × 2^(k-1) ± 10%: never shorter (the launch only adds to it).
    const starts = runStarts(ended);
    const gaps = earlier.map((r, i) => starts[i + 1]! - r.endedAt);
    [400, 800, 1600].forEach((delay, i) => expect(gaps[i], `gap before run ${i + 2}`).toBeGreaterThanOrEqual(delay * 0.9));
    expect(gaps[2]! - gaps[0]!, 'the backoff grew').toBeGreaterThan(600);
    // Each run wrote to its own directory.
    expect(new Set([...earlier.map((r) => r.dir), ended.dir]).size).toBe(4);
  });

  it('always restarts a job that exited 0 (a service); procd kill while it waits to restart ends it for good', async () => {
    d = await startTestDaemon();
    const job = await trackJob(d, ['--restart', 'always', '--restart-delay', '60s', '--', 'true']);
    expect(job.spec.kind).toBe('service');
    const queued = await waitFor(
      async () => {
        const j = await jobStatus(d!, job.id);
        return j.state.kind === 'queued' ? j : null;
      },
      { what: 'the job to wait for its restart' },
    );
    expect(queued.state).toMatchObject({ kind: 'queued', reason: { kind: 'restart', run: 2 } });
    expect(queued.runs?.earlier[0]).toMatchObject({ run: 1, state: 'completed', exitCode: 0 });
    const kill = await d.cli(['kill', String(job.id)]);
    expect(kill.code).toBe(0);
    const ended = await jobStatus(d, job.id);
    expect(ended.state).toMatchObject({ kind: 'killed', outcome: 'cancelled', exitCode: null });
    expect(ended.runs?.current).toBe(2);
  });

  it('a backoff in progress survives a daemon SIGKILL: the next run starts at the recorded time', async () => {
    d = await startTestDaemon();
    // A backoff long enough that a loaded machine sees the job wait, SIGKILLs the daemon and starts
    // the next one well before the attempt is due.
    const job = await trackJob(d, ['--restart', 'on-failure', '--restart-delay', '20s', '--max-restarts', '1', '--', 'false']);
    const queued = await waitFor(
      async () => {
        const j = await jobStatus(d!, job.id);
        return j.state.kind === 'queued' ? j : null;
      },
      { what: 'the job to wait for its restart' },
    );
    if (queued.state.kind !== 'queued' || queued.state.reason.kind !== 'restart') throw new Error('unreachable');
    const at = queued.state.reason.at;
    const daemonPid = (await daemonStatus(d)).pid;
    process.kill(daemonPid, 'SIGKILL');
    await waitFor(() => processGone(daemonPid), { what: 'the daemon to die' });
    // The next CLI call autostarts a daemon, which finds the job still waiting, for the same time.
    const after = await jobStatus(d, job.id);
    expect(after.state).toMatchObject({ kind: 'queued', reason: { kind: 'restart', at, run: 2 } });
    const ended = await waitForEnd(d, job.id, { timeoutMs: 60_000 });
    expect(ended.state).toMatchObject({ kind: 'failed', outcome: 'restarts_exhausted', exitCode: 1 });
    expect(runStarts(ended)[1]).toBeGreaterThanOrEqual(at);
  }, 120_000);

  it('bad restart options get usage errors that say what is wrong (exit 2), on the wire InvalidParams, and nothing starts', async () => {
    d = await startTestDaemon();
    const cases: [string[], RegExp][] = [
      [['--restart', 'sometimes'], /--restart: "sometimes" is not one of no, on-failure, always, unless-stopped/],
      [['--max-restarts', '3'], /--max-restarts shapes a restart policy: give --restart/],
      [['--restart', 'always', '--restart-delay', 'soon'], /--restart-delay: "soon" is not a duration/],
      [['--restart', 'on-failure', '--max-restarts', '-1'], /--max-restarts: "-1" is not a whole number/],
    ];
    for (const [args, message] of cases) {
      const r = await d.cli(['track', ...args, '--', 'true']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const c = await d.client();
    await expect(c.track({ argv: ['true'], cwd: '/', restart: { policy: 'sometimes' as 'always' } })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/params\.restart\.policy/) });
    expect((await d.cli(['ls', '--all', '--json'])).stdout.trim()).toBe('[]');
  });

  it('a next run starts clean: what the earlier run left running is stopped before it launches', async () => {
    d = await startTestDaemon();
    const dir = d.home;
    // Run 1 leaves a child behind and fails; run 2 stays up.
    const script = `sleep 4125 & echo $! >> ${dir}/children; if [ -e ${dir}/second ]; then exec sleep 4126; fi; touch ${dir}/second; exit 1`;
    const job = await trackJob(d, ['--restart', 'on-failure', '--restart-delay', '200ms', '--shell', script]);
    await waitFor(
      async () => {
        const j = await jobStatus(d!, job.id);
        return j.state.kind === 'running' && j.runs?.current === 2;
      },
      { what: 'run 2 to be running' },
    );
    const [leftBehind] = readFileSync(join(dir, 'children'), 'utf8').trim().split('\n').map(Number);
    expect(processGone(leftBehind!), `run 1's child ${leftBehind} is gone once run 2 runs`).toBe(true);
  });

  it('a crash loop keeps every run record but only the last 20 runs keep their output', async () => {
    d = await startTestDaemon();
    const job = await trackJob(d, ['--restart', 'on-failure', '--restart-delay', '0s', '--max-restarts', '23', '--', 'false']);
    // 24 runs one after the other: on a loaded 2-core machine each launch may take a second or more.
    const ended = await waitForEnd(d, job.id, { timeoutMs: 150_000 });
    expect(ended.state).toMatchObject({ kind: 'failed', outcome: 'restarts_exhausted' });
    const earlier = ended.runs!.earlier;
    expect(earlier.map((r) => r.run)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    // run 24 is the last; runs 1..4 lost their output, 5..23 kept it
    await waitFor(() => earlier.slice(0, 4).every((r) => !existsSync(join(r.dir, 'exit'))), { what: 'the oldest runs’ output to be removed' });
    expect(earlier.slice(4).every((r) => existsSync(join(r.dir, 'exit')))).toBe(true);
    const again = await jobStatus(d, job.id);
    expect(again.runs!.earlier.filter((r) => r.outputRemoved).map((r) => r.run)).toEqual([1, 2, 3, 4]);
  }, 180_000);
});
