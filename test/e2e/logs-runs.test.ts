// Output per run against a real daemon: `procd logs --run N` shows run N's output and nothing of
// the other runs, `--all-runs` shows every kept run in order after a `--- run N (…) ---` line on
// stderr (with --json, each chunk carries its run), bad --run values get usage errors (exit 2) or
// RunNotFound from the daemon (which keeps running), a run whose output was removed is named as
// such and skipped by --all-runs, `logs -f` follows a job into its next runs, and `logs --run N -f`
// stops where run N ends.

import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/errors.js';
import type { JobStatus } from '../../shared/methods.js';
import { CLI, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { exited, GroupRuns } from './helpers/group-runs.js';
import { expectExit, jobStatus, parseJson, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
const runs = new GroupRuns();
afterEach(async () => {
  runs.killAll();
  await d?.cleanup();
  d = undefined;
});

/** A job that fails three times in a row (runs 1–3), each run writing its own pid to both streams. */
async function threeFailedRuns(daemon: TestDaemon): Promise<JobStatus> {
  const job = await trackJob(daemon, ['--name', 'flaky', '--restart', 'on-failure', '--restart-delay', '200ms', '--max-restarts', '2', '--shell', 'echo "out $$"; echo "err $$" >&2; exit 3']);
  const ended = await waitForEnd(daemon, job.id, { timeoutMs: 30_000 });
  expect(ended.state).toMatchObject({ kind: 'failed', outcome: 'restarts_exhausted' });
  expect(ended.runs?.current).toBe(3);
  return ended;
}

/** The main pid of each run, oldest first (the shell's `$$`). */
function runPids(job: JobStatus): number[] {
  const last = 'pid' in job.state ? job.state.pid : null;
  return [...job.runs!.earlier.map((r) => r.pid!), last!];
}

describe('logs per run', () => {
  it('--run N shows run N only; the default is the current run', async () => {
    d = await startTestDaemon();
    const job = await threeFailedRuns(d);
    const pids = runPids(job);
    expect(new Set(pids).size).toBe(3);
    for (const [i, pid] of pids.entries()) {
      const r = await d.cli(['logs', 'flaky', '--run', String(i + 1)]);
      expectExit(r, 0, `logs --run ${i + 1}`);
      expect(r.stdout, `run ${i + 1}'s stdout`).toBe(`out ${pid}\n`);
      expect(r.stderr, `run ${i + 1}'s stderr`).toBe(`err ${pid}\n`);
    }
    const current = await d.cli(['logs', 'flaky']);
    expect([current.code, current.stdout, current.stderr]).toEqual([0, `out ${pids[2]}\n`, `err ${pids[2]}\n`]);
  });

  it('--all-runs shows the runs in order, each after its marker line on stderr; --json gives each chunk its run', async () => {
    d = await startTestDaemon();
    const job = await threeFailedRuns(d);
    const pids = runPids(job);
    const all = await d.cli(['logs', 'flaky', '--all-runs']);
    expectExit(all, 0, 'logs --all-runs');
    expect(all.stdout).toBe(pids.map((p) => `out ${p}\n`).join(''));
    const lines = all.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    pids.forEach((pid, i) => {
      expect(lines[2 * i], `run ${i + 1}'s marker`).toMatch(new RegExp(`^--- run ${i + 1} \\(started \\S+, exited 3 after \\S+; `));
      expect(lines[2 * i + 1]).toBe(`err ${pid}`);
    });
    expect(lines[0]).toMatch(/; restarted \S+ later\) ---$/);
    expect(lines[4]).toMatch(/; no more restarts: .*\) ---$/);

    const json = await d.cli(['logs', 'flaky', '--all-runs', '--json', '--stream', 'stdout']);
    expectExit(json, 0, 'logs --all-runs --json');
    const chunks = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { run: number; text: string });
    expect(chunks.map((c) => [c.run, c.text])).toEqual(pids.map((p, i) => [i + 1, `out ${p}\n`]));
    expect(json.stderr).toBe('');

    // --tail applies to each run.
    const tail = await d.cli(['logs', 'flaky', '--all-runs', '--tail', '1', '--stream', 'stderr']);
    expectExit(tail, 0, 'logs --all-runs --tail 1');
    expect(tail.stdout).toBe(pids.map((p) => `err ${p}\n`).join(''));
  });

  it('refuses bad --run values with usage errors, and a run the job does not have with RunNotFound; the daemon keeps running', async () => {
    d = await startTestDaemon();
    await threeFailedRuns(d);
    for (const [value, says] of [
      ['0', /--run: "0" is too small: at least 1/],
      ['x', /--run: "x" is not a whole number/],
      ['-1', /--run/],
    ] as const) {
      const r = await d.cli(['logs', 'flaky', '--run', value]);
      expect(r.code, `--run ${value}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(says);
      expect(r.stdout).toBe('');
    }
    const both = await d.cli(['logs', 'flaky', '--run', '1', '--all-runs']);
    expect([both.code, both.stderr]).toEqual([2, 'procd logs: give --run N or --all-runs, not both\n']);

    const beyond = await d.cli(['logs', 'flaky', '--run', '4']);
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toBe('procd logs: job 1 (flaky) has no run 4: it is in run 3 (there are runs 1–3) [RunNotFound -32016]\n');
    const wire = await d.cli(['logs', 'flaky', '--run', '4', '--json']);
    expect(wire.code).toBe(1);
    expect(parseJson<{ error: { code: number; name: string; data: unknown } }>(wire, 'logs --run 4 --json').error).toMatchObject({
      code: ErrorCode.RunNotFound,
      name: 'RunNotFound',
      data: { id: 1, run: 4, current: 3, oldest: 1 },
    });
    // The daemon answers on.
    expect((await jobStatus(d, 'flaky')).runs?.current).toBe(3);
  });

  it('a run whose output was removed is named as such, and --all-runs goes on without it', async () => {
    d = await startTestDaemon();
    const job = await threeFailedRuns(d);
    const pids = runPids(job);
    const run2 = job.runs!.earlier[1]!;
    expect(run2.dir).toBe(join(job.runs!.earlier[0]!.dir, 'run-2'));
    rmSync(run2.dir, { recursive: true, force: true });
    const r = await d.cli(['logs', 'flaky', '--run', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the output of run 2 of job 1 \(flaky\) was removed.*\[RunNotFound -32016\]/);
    const all = await d.cli(['logs', 'flaky', '--all-runs', '--stream', 'stdout']);
    expectExit(all, 0, 'logs --all-runs');
    expect(all.stdout).toBe(`out ${pids[0]}\nout ${pids[2]}\n`);
    expect(all.stderr.match(/^--- run \d/gm)).toEqual(['--- run 1', '--- run 3']);
  });

  it('runs beyond the last 20 lose their output: --run refuses them, --all-runs starts at the oldest kept run', async () => {
    d = await startTestDaemon();
    const job = await trackJob(d, ['--name', 'loop', '--restart', 'on-failure', '--restart-delay', '0', '--max-restarts', '21', '--shell', 'echo "out $$"; exit 3']);
    // 22 runs one after the other: on a loaded 2-core machine each launch may take a second or more.
    const ended = await waitForEnd(d, job.id, { timeoutMs: 150_000 });
    expect(ended.runs?.current).toBe(22);
    await waitFor(async () => (await jobStatus(d!, job.id)).runs!.earlier[1]!.outputRemoved === true, { what: 'runs 1 and 2 to lose their output' });
    const r = await d.cli(['logs', 'loop', '--run', '1']);
    expect([r.code, r.stderr]).toEqual([1, 'procd logs: the output of run 1 of job 1 (loop) was removed: only the last 20 runs keep theirs (there are runs 1–22) [RunNotFound -32016]\n']);
    const all = await d.cli(['logs', 'loop', '--all-runs', '--stream', 'stdout']);
    expectExit(all, 0, 'logs --all-runs');
    expect(all.stdout).toBe(runPids(ended).slice(2).map((p) => `out ${p}\n`).join(''));
    expect(all.stderr.match(/^--- run \d+/gm)).toEqual(Array.from({ length: 20 }, (_, i) => `--- run ${i + 3}`));
  }, 180_000);

  it('logs --run N -f stops where run N ends, while the job waits to restart', async () => {
    d = await startTestDaemon();
    const go = join(d.home, 'go');
    const job = await trackJob(d, ['--restart', 'always', '--restart-delay', '10m', '--restart-max-delay', '10m', '--shell', `echo "out $$"; while [ ! -e '${go}' ]; do sleep 0.05; done; exit 3`]);
    const follow = runs.start(d.env, process.execPath, [CLI, 'logs', String(job.id), '--run', '1', '-f']);
    await waitFor(() => follow.stdout().includes('out '), { what: 'logs --run 1 -f to print run 1' });
    writeFileSync(go, '');
    expect(await exited(follow, 'logs --run 1 -f to end with run 1')).toBe(0);
    const waiting = await jobStatus(d, job.id);
    expect(waiting.state).toMatchObject({ kind: 'queued', reason: { kind: 'restart', run: 2 } });
    expect(follow.stdout()).toBe(`out ${waiting.runs!.earlier[0]!.pid}\n`);
    expect(follow.stderr()).toBe('');
  });

  it('logs -f follows the job into its next runs, marking where each begins, and ends with the job', async () => {
    d = await startTestDaemon();
    // Run 1 waits for the test to say go (so the follow surely starts in it); the later runs do not wait.
    const go = join(d.home, 'go');
    const job = await trackJob(d, ['--restart', 'on-failure', '--restart-delay', '300ms', '--max-restarts', '2', '--shell', `echo "out $$"; while [ ! -e '${go}' ]; do sleep 0.05; done; exit 3`]);
    const follow = runs.start(d.env, process.execPath, [CLI, 'logs', String(job.id), '-f']);
    await waitFor(() => follow.stdout().includes('out '), { what: 'logs -f to print run 1' });
    writeFileSync(go, '');
    expect(await exited(follow, 'logs -f to end with the job')).toBe(0);
    const ended = await jobStatus(d, job.id);
    expect(ended.state).toMatchObject({ kind: 'failed', outcome: 'restarts_exhausted' });
    expect(follow.stdout()).toBe(runPids(ended).map((p) => `out ${p}\n`).join(''));
    // Runs 2 and 3 are marked where they begin, with how the run before ended; run 1, where the follow began, is not.
    const marks = follow.stderr().trimEnd().split('\n');
    expect(marks).toHaveLength(2);
    expect(marks[0]).toMatch(/^--- run 2 \(after run 1 exited 3 after \S+; /);
    expect(marks[1]).toMatch(/^--- run 3 \(after run 2 exited 3 after \S+; /);
  });
});
