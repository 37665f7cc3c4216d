// The acting layer of a wait for conditions, on a fake clock with scripted checks: rounds on the
// cadence that never overlap, the default timeout at 5 minutes and not before, a plain wait (and a
// wait for `exit`) never cut however long the job runs, a job that ends first, table conditions at
// once without a timer, conditions about the world without a job, `all`, and a cancelled wait.

import { describe, expect, it, vi } from 'vitest';
import { parseCondition } from '../../../shared/condition-parser.js';
import { WAIT_CONDITIONS, type Condition } from '../../../shared/conditions.js';
import { isLive } from '../../../shared/job.js';
import { Deadlines } from '../../../daemon/jobs/deadlines.js';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { waitFor } from '../../../daemon/jobs/waits.js';
import type { CheckResult, ProbeCheck } from '../../../daemon/probes/check.js';
import { CHECK_CADENCE_MS, waitForConditions, type ConditionWaitDeps, type ConditionWaitOutcome } from '../../../daemon/waits/condition-wait.js';
import { effectiveTimeoutMs } from '../../../daemon/waits/decide.js';
import { FakeClock } from '../jobs/fake-clock.js';
import { makeSpec } from '../../helpers/job-factory.js';
import { memoryStore } from '../../helpers/stand-ins.js';

const c = (text: string): Condition => parseCondition(text, WAIT_CONDITIONS);
/** Lets pending promise callbacks run (no time passes on the fake clock). */
const flush = () => new Promise<void>((r) => setImmediate(r));

interface Scripted {
  /** Answers each check in turn (the last one repeats); `takesMs` of fake time per check. */
  answers: boolean[];
  takesMs?: number;
}

function setup(script: Scripted = { answers: [false] }) {
  const clock = new FakeClock();
  const deadlines = new Deadlines(clock);
  const table = new JobTable(memoryStore, { jobs: new Map(), nextId: 1 });
  const job = table.create({ name: 'w', description: null, tags: [], spec: makeSpec(), dirFor: () => '/nonexistent/procd-test' }, clock.now());
  table.apply(job.id, { type: 'started', at: clock.now(), pid: 5, startTicks: 1, shimPid: 4 });
  const checks = { at: [] as number[], inFlight: 0, maxInFlight: 0 };
  const outputClosed: number[] = [];
  const run = (): Promise<CheckResult> => {
    checks.at.push(clock.now());
    checks.inFlight++;
    checks.maxInFlight = Math.max(checks.maxInFlight, checks.inFlight);
    const ok = script.answers[Math.min(checks.at.length - 1, script.answers.length - 1)]!;
    return new Promise((resolve) => {
      const done = () => {
        checks.inFlight--;
        resolve({ ok, detail: ok ? 'seen' : 'not yet' });
      };
      if (script.takesMs) clock.setTimer(done, script.takesMs);
      else done();
    });
  };
  const check: ProbeCheck = { run, close: () => {} };
  const deps: ConditionWaitDeps = {
    table,
    deadlines,
    createCheck: () => check,
    pidsOf: () => Promise.resolve([5]),
    checkPortFree: () => run(),
    refreshOutput: (id) => Promise.resolve(table.get(id)),
    outputEnds: () => Promise.resolve({ stdout: 0, stderr: 0 }),
    outputClosed: (id) => {
      outputClosed.push(id);
      return Promise.resolve();
    },
    now: () => clock.now(),
  };
  const current = () => table.get(job.id)!;
  return { clock, deadlines, table, deps, checks, outputClosed, current, id: job.id };
}

/** Tracks a promise's settlement without awaiting it. */
function settled<T>(p: Promise<T>): { value: T | undefined; done: boolean } {
  const s = { value: undefined as T | undefined, done: false };
  void p.then((v) => {
    s.value = v;
    s.done = true;
  });
  return s;
}

const exitJob = (table: JobTable, id: number, code: number) => table.apply(id, { type: 'exited', at: 2, exitCode: code, signal: null, kill: null, forced: false });

describe('waitForConditions', () => {
  it('checks on the cadence, a round after the previous one ended (never overlapping), and fires on the first pass', async () => {
    const s = setup({ answers: [false, false, true], takesMs: 1000 });
    const t0 = s.clock.now();
    const w = settled(waitForConditions(s.deps, { jobs: [s.current()], conditions: [c('listen=8080')], all: false, newOutput: false, timeoutMs: null }));
    for (let i = 0; i < 40 && !w.done; i++) {
      await flush();
      s.clock.advance(125);
    }
    await flush();
    expect(w.done).toBe(true);
    const out = w.value as ConditionWaitOutcome;
    expect(out.kind).toBe('met');
    expect(out.fired).toEqual([{ job: s.id, index: 0, detail: 'seen', at: expect.any(Number) }]);
    // Each check takes 1 s; the next begins CHECK_CADENCE_MS after it ended.
    expect(s.checks.at.map((t) => t - t0)).toEqual([0, 1000 + CHECK_CADENCE_MS, 2 * (1000 + CHECK_CADENCE_MS)]);
    expect(s.checks.maxInFlight).toBe(1);
    expect(s.clock.pending).toBe(0);
  });

  it('a condition that never holds ends at the default timeout of 5 minutes, not before', async () => {
    const s = setup({ answers: [false] });
    const conditions = [c('listen=8080')];
    const w = settled(waitForConditions(s.deps, { jobs: [s.current()], conditions, all: false, newOutput: false, timeoutMs: effectiveTimeoutMs(conditions, undefined) }));
    await flush();
    s.clock.advance(299_999);
    await flush();
    expect(w.done).toBe(false);
    s.clock.advance(1);
    await flush();
    expect(w.value).toMatchObject({ kind: 'timeout', endedJob: null, fired: [], waitedMs: 300_000 });
    expect(s.clock.pending).toBe(0);
    expect(s.table.listenerCount('change')).toBe(0);
  });

  it('a plain wait, and a wait for exit, on a long job are not cut by any default timeout', async () => {
    const s = setup();
    const plain = settled(waitFor(s.table, s.deadlines, [s.id], (jobs) => jobs.every((j) => !j || !isLive(j.state)), { timeoutMs: effectiveTimeoutMs(undefined, undefined) }));
    const conditions = [c('exit')];
    const forExit = settled(waitForConditions(s.deps, { jobs: [s.current()], conditions, all: false, newOutput: false, timeoutMs: effectiveTimeoutMs(conditions, undefined) }));
    await flush();
    // No timer at all: nothing to check on a cadence, no timeout.
    expect(s.clock.pending).toBe(0);
    s.clock.advance(24 * 3_600_000);
    await flush();
    expect(plain.done).toBe(false);
    expect(forExit.done).toBe(false);
    exitJob(s.table, s.id, 0);
    await flush();
    expect(plain.value).toBe('met');
    expect(forExit.value).toMatchObject({ kind: 'met', fired: [{ job: s.id, index: 0, detail: 'completed' }] });
  });

  it('a job that ends before its condition is reported as ended, after its output was read a last time', async () => {
    const s = setup({ answers: [false] });
    const w = settled(waitForConditions(s.deps, { jobs: [s.current()], conditions: [c('output=never'), c('listen=8080')], all: false, newOutput: false, timeoutMs: 60_000 }));
    await flush();
    exitJob(s.table, s.id, 3);
    // The last read goes to the (absent) output files: real I/O, so its end is awaited, not counted in turns.
    await vi.waitFor(() => expect(w.done).toBe(true), { timeout: 10_000 });
    expect(w.value).toMatchObject({ kind: 'ended', endedJob: s.id });
    expect(s.outputClosed).toEqual([s.id]);
    expect(s.clock.pending).toBe(0);
  });

  it('with a job given, a condition about the world is checked once more after the job ended, then the job ended first', async () => {
    const s = setup({ answers: [false] });
    const w = settled(waitForConditions(s.deps, { jobs: [s.current()], conditions: [c('http=http://127.0.0.1:1/')], all: false, newOutput: false, timeoutMs: 300_000 }));
    await flush();
    const before = s.checks.at.length;
    exitJob(s.table, s.id, 1);
    await vi.waitFor(() => expect(w.done).toBe(true), { timeout: 10_000 });
    expect(w.value).toMatchObject({ kind: 'ended', endedJob: s.id });
    expect(s.checks.at.length).toBe(before + 1);
  });

  it('a timeout of 0 still checks once: met when the first check passes, else timeout', async () => {
    const pass = setup({ answers: [true] });
    await expect(waitForConditions(pass.deps, { jobs: [pass.current()], conditions: [c('listen')], all: false, newOutput: false, timeoutMs: 0 })).resolves.toMatchObject({ kind: 'met' });
    const fail = setup({ answers: [false] });
    await expect(waitForConditions(fail.deps, { jobs: [fail.current()], conditions: [c('listen')], all: false, newOutput: false, timeoutMs: 0 })).resolves.toMatchObject({ kind: 'timeout' });
    expect(fail.checks.at).toHaveLength(1);
  });

  it('state= fires on the table change itself, with no cadence timer', async () => {
    const s = setup();
    const job = s.table.create({ name: 'q', description: null, tags: [], spec: makeSpec(), dirFor: () => '/nonexistent/q' }, s.clock.now());
    const w = settled(waitForConditions(s.deps, { jobs: [job], conditions: [c('state=running')], all: false, newOutput: false, timeoutMs: null }));
    await flush();
    expect(w.done).toBe(false);
    expect(s.clock.pending).toBe(0);
    s.table.apply(job.id, { type: 'started', at: s.clock.now(), pid: 6, startTicks: 1, shimPid: 4 });
    await flush();
    expect(w.value).toMatchObject({ kind: 'met', fired: [{ job: job.id, detail: 'running' }] });
  });

  it('a condition about the world needs no job; with all, every condition must hold', async () => {
    const s = setup({ answers: [true] });
    const alone = await waitForConditions(s.deps, { jobs: [], conditions: [c('port-free=3000')], all: false, newOutput: false, timeoutMs: 1000 });
    expect(alone).toMatchObject({ kind: 'met', fired: [{ job: null, index: 0 }] });
    const both = settled(waitForConditions(s.deps, { jobs: [s.current()], conditions: [c('port-free=3000'), c('exit')], all: true, newOutput: false, timeoutMs: null }));
    for (let i = 0; i < 3; i++) await flush();
    expect(both.done).toBe(false);
    exitJob(s.table, s.id, 0);
    for (let i = 0; i < 3 && !both.done; i++) await flush();
    expect(both.value).toMatchObject({ kind: 'met' });
    expect((both.value as ConditionWaitOutcome).fired.map((f) => f.index).sort()).toEqual([0, 1]);
  });

  it('ends as cancelled when the waiter goes away, leaving no timer and no listener', async () => {
    const s = setup({ answers: [false] });
    let close!: () => void;
    const w = waitForConditions(s.deps, { jobs: [s.current()], conditions: [c('listen')], all: false, newOutput: false, timeoutMs: 60_000, cancelled: new Promise<void>((r) => (close = r)) });
    await flush();
    close();
    await expect(w).resolves.toMatchObject({ kind: 'cancelled' });
    expect(s.clock.pending).toBe(0);
    expect(s.table.listenerCount('change')).toBe(0);
    expect(s.table.listenerCount('removed')).toBe(0);
  });
});

