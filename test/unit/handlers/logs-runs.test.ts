// Which run `logs` reads: by default the current run (while the job waits to restart, the run that
// just ended); run N from its record; RunNotFound for a run not begun, a record dropped, or output
// removed, naming the runs there are; with allRuns the oldest kept run first, skipping runs that
// ended before `since` and runs whose output is gone.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRun, firstRun, nextRun, runToRead } from '../../../daemon/handlers/logs-runs.js';
import { ErrorCode, ProcdError } from '../../../shared/errors.js';
import type { Job } from '../../../shared/job.js';
import type { RunRecord } from '../../../shared/restart.js';
import { failedState, makeJob, queuedState, runningState, T0 } from '../../helpers/job-factory.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'logs-runs-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Run n's directory with output in it (run 1's is the job's own). */
function runDir(n: number): string {
  const dir = n === 1 ? root : join(root, `run-${n}`);
  mkdirSync(join(dir, 'out'), { recursive: true });
  writeFileSync(join(dir, 'spawn.spec'), '{}');
  return dir;
}

function record(run: number): RunRecord {
  const startedAt = T0 + run * 10_000;
  return { run, state: 'failed', outcome: 'exit', outcomeDetail: null, exitCode: 3, signal: null, startedAt, endedAt: startedAt + 50, durationMs: 50, pid: 100 + run, dir: runDir(run), then: 'restart' };
}

/** A job in run `current` with records of the runs from `oldest` on. */
function job(current: number, oldest: number, state: Job['state'] = runningState()): Job {
  const earlier = Array.from({ length: current - oldest }, (_, i) => record(oldest + i));
  return makeJob({ id: 7, name: 'web', state, dir: join(root, `run-${current}`), runs: { current, restarts: current - 1, earlier, history: { restartTimes: [], quickFailures: 0 } } });
}

async function refusal(p: Promise<unknown>): Promise<ProcdError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof ProcdError)) throw new Error(`expected a ProcdError, got ${String(err)}`);
  return err;
}

describe('the run logs reads', () => {
  it('is the current run by default, and the run that just ended while the job waits to restart', () => {
    expect(defaultRun(job(3, 1))).toBe(3);
    const waiting = queuedState({ reason: { kind: 'restart', at: T0, detail: 'x', delayMs: 1000, run: 3 } });
    expect(defaultRun(job(3, 1, waiting))).toBe(2);
    expect(defaultRun(makeJob({ state: runningState() }))).toBe(1);
  });

  it('run N comes from its record; the current run from the job', async () => {
    const j = job(3, 1);
    expect(await runToRead(j, 1)).toMatchObject({ run: 1, dir: root, record: { run: 1 } });
    expect(await runToRead(j, 3)).toEqual({ run: 3, dir: j.dir, record: null });
  });

  it('refuses a run not begun, a dropped record, and removed output with RunNotFound naming the runs there are', async () => {
    const j = job(5, 3, failedState());
    const future = await refusal(runToRead(j, 6));
    expect([future.code, future.message, future.data]).toEqual([ErrorCode.RunNotFound, 'job 7 (web) has no run 6: it is in run 5 (there are runs 3–5)', { id: 7, run: 6, current: 5, oldest: 3 }]);
    const dropped = await refusal(runToRead(j, 2));
    expect(dropped.message).toBe('job 7 (web) no longer has a record of run 2: only the last 2 ended runs are kept (there are runs 3–5)');
    rmSync(join(root, 'run-4'), { recursive: true });
    const removed = await refusal(runToRead(j, 4));
    // As its record says once the daemon pruned it (the directory is gone as well then).
    const pruned = job(5, 3, failedState());
    pruned.runs!.earlier[0]!.outputRemoved = true;
    expect((await refusal(runToRead(pruned, 3))).code).toBe(ErrorCode.RunNotFound);
    expect(removed.message).toBe('the output of run 4 of job 7 (web) was removed: only the last 20 runs keep theirs (there are runs 3–5)');
  });

  it('with allRuns starts at the oldest kept run, and goes on past runs ended before `since` or without output', async () => {
    const j = job(4, 1);
    expect((await firstRun(j, undefined)).run).toBe(1);
    expect((await firstRun(j, T0 + 20_000)).run).toBe(2);
    rmSync(join(root, 'run-2'), { recursive: true });
    expect((await nextRun(j, 1, undefined))?.run).toBe(3);
    expect(await nextRun(j, 4, undefined)).toBeNull();
    // Every run ended before `since`: the current one.
    expect(await firstRun(j, T0 + 60_000)).toEqual({ run: 4, dir: j.dir, record: null });
  });
});
