// Restarts in words: `status` rows (policy with its figures, run and restart count, the last run's
// end, the next attempt), `ls` (`running ↻3`; `restarting ↻1` with `in 4s` in TIME and the last
// run's exit in EXIT) and the `--- run N (…) ---` lines of `procd logs`. A fixed "now" keeps the
// times exact; local times are compared with the machine's zone.

import { describe, expect, it } from 'vitest';
import { policyText, restartRows } from '../../../client/cli/format-restart.js';
import { localTime } from '../../../client/cli/format-time.js';
import { renderLs, type LsLayout } from '../../../client/cli/ls-table.js';
import { clock, endText, runMarker } from '../../../client/cli/run-marker.js';
import { summarize, type Job, type JobState } from '../../../shared/job.js';
import { defaultRestartSpec, type RunRecord, type RunsInfo } from '../../../shared/restart.js';
import { failedState, killedState, makeJob, queuedState, runningState, T0 } from '../../helpers/job-factory.js';

const NOW = T0 + 60_000;

function record(run: number, over: Partial<RunRecord> = {}): RunRecord {
  const startedAt = T0 + run * 10_000;
  return { run, state: 'failed', outcome: 'exit', outcomeDetail: null, exitCode: 3, signal: null, startedAt, endedAt: startedAt + 35, durationMs: 35, pid: 100 + run, dir: `/j/1/run-${run}`, then: 'restart', ...over };
}

function runs(current: number, earlier: RunRecord[]): RunsInfo {
  return { current, restarts: current - 1, earlier, history: { restartTimes: [], quickFailures: 0 } };
}

const waiting: JobState = queuedState({ queuedAt: NOW - 1000, reason: { kind: 'restart', at: NOW + 3200, detail: 'run 2 exited 3; restart 2 (on-failure) in 4.2s', delayMs: 4200, run: 3 } });
const restarting = (over: Partial<Job> = {}): Job =>
  makeJob({ spec: { restart: { ...defaultRestartSpec('on-failure'), delayMs: 300 } }, state: waiting, runs: runs(3, [record(1), record(2)]), ...over });

describe('status rows about restarts', () => {
  it('show the policy with its figures, the run, the restarts, the last run and the next attempt', () => {
    const rows = new Map(restartRows(restarting(), NOW));
    expect(rows.get('restart')).toBe('on-failure: delay 300ms ×2 up to 1m00s ±10%, reset after 30s up; restarts: at most 10 in 10m00s');
    expect(rows.get('run')).toBe('3 (not started yet), restarts so far: 2');
    expect(rows.get('last run')).toBe(`run 2: failed, exit 3 after 35ms, ended ${localTime(T0 + 20_035)} (39s ago)`);
    expect(rows.get('next attempt')).toBe(`${localTime(NOW + 3200)} (in 3.2s)`);
  });

  it('in a first run say so, and nothing for a job without a policy that never restarted', () => {
    const first = makeJob({ spec: { restart: defaultRestartSpec('always') }, state: runningState({ startedAt: T0, pid: 7 }) });
    expect(restartRows(first, NOW)).toEqual([
      ['restart', 'always: delay 1.0s ×2 up to 1m00s ±10%, reset after 30s up; restarts: no limit'],
      ['run', '1, restarts so far: 0'],
    ]);
    expect(restartRows(makeJob({ state: runningState() }), NOW)).toEqual([]);
    expect(policyText({ ...defaultRestartSpec('on-failure'), maxRestarts: 1, windowMs: 60_000 })).toBe('on-failure: delay 1.0s ×2 up to 1m00s ±10%, reset after 30s up; restarts: at most 1 in 1m00s');
  });
});

describe('ls with restarts', () => {
  const layout: LsLayout = { now: NOW, width: 120, tty: false, hiddenFinished: 0, paint: (_c, t) => t };

  it('marks restarts next to the state, and a job waiting to restart with when and how its last run ended', () => {
    const jobs = [
      restarting({ id: 1, name: 'web' }),
      makeJob({ id: 2, name: 'api', state: runningState({ startedAt: NOW - 5000, pid: 42 }), runs: runs(4, [record(1), record(2), record(3)]) }),
      makeJob({ id: 3, name: 'once', state: runningState({ startedAt: NOW - 5000, pid: 43 }) }),
      restarting({ id: 4, name: 'sig', runs: runs(3, [record(1), record(2, { outcome: 'signal', signal: { name: 'SIGKILL', number: 9 }, exitCode: null })]) }),
    ].map(summarize);
    const [header, web, api, once, sig] = renderLs(jobs, layout);
    const cells = (line: string) => line.split(/ {2,}/);
    expect(cells(header!).slice(0, 6)).toEqual(['ID', 'NAME', 'STATE', 'PID', 'TIME', 'EXIT']);
    expect(cells(web!).slice(0, 6)).toEqual(['1', 'web', 'restarting ↻2', '-', 'in 3s', '3']);
    expect(cells(api!).slice(0, 5)).toEqual(['2', 'api', 'running ↻3', '42', '5.0s']);
    expect(cells(once!).slice(0, 3)).toEqual(['3', 'once', 'running']);
    expect(cells(sig!).slice(0, 6)).toEqual(['4', 'sig', 'restarting ↻2', '-', 'in 3s', 'SIGKILL(137)']);
  });
});

describe('run markers of procd logs', () => {
  it('describe an ended run with how soon the next one started, or when it will', () => {
    const job = { state: runningState({ startedAt: T0 + 20_600, pid: 9 }), runs: runs(3, [record(1), record(2)]) };
    expect(runMarker(job, 1, NOW)).toBe(`--- run 1 (started ${clock(T0 + 10_000, NOW)}, exited 3 after 35ms; restarted 10.0s later) ---`);
    expect(runMarker(job, 2, NOW)).toBe(`--- run 2 (started ${clock(T0 + 20_000, NOW)}, exited 3 after 35ms; restarted 565ms later) ---`);
    expect(runMarker(job, 3, NOW)).toBe(`--- run 3 (started ${clock(T0 + 20_600, NOW)}, running) ---`);
    expect(runMarker(job, 3, NOW, { previous: true })).toBe(`--- run 3 (after run 2 exited 3 after 35ms; started ${clock(T0 + 20_600, NOW)}, running) ---`);
    const queued = { state: waiting, runs: runs(3, [record(1), record(2)]) };
    expect(runMarker(queued, 2, NOW)).toBe(`--- run 2 (started ${clock(T0 + 20_000, NOW)}, exited 3 after 35ms; restart in 3.2s) ---`);
    expect(runMarker(queued, 3, NOW)).toBe(`--- run 3 (not started yet: restart at ${clock(NOW + 3200, NOW)}) ---`);
    const cancelled = { state: killedState({ pid: null, exitCode: null, outcome: 'cancelled' }), runs: runs(3, [record(1), record(2)]) };
    expect(runMarker(cancelled, 2, NOW)).toMatch(/; its restart was cancelled\) ---$/);
    expect(runMarker(cancelled, 3, NOW)).toBe('--- run 3 (cancelled before it started) ---');
  });

  it('say when the policy gave up, and how a run ended in words', () => {
    const gaveUp = { state: failedState({ startedAt: T0 + 30_000, exitCode: 3, outcome: 'restarts_exhausted', outcomeDetail: '2 restarts within 600s (at most 2)' }), runs: runs(3, [record(1), record(2)]) };
    expect(runMarker(gaveUp, 3, NOW)).toMatch(/^--- run 3 \(started \S+, exited 3 after 1\.0s; no more restarts: 2 restarts within 600s \(at most 2\)\) ---$/);
    expect(endText(record(1, { outcome: 'signal', signal: { name: 'SIGTERM', number: 15 }, durationMs: 2100 }))).toBe('killed by SIGTERM after 2.1s');
    expect(endText(record(1, { outcome: 'spawn_error', pid: null }))).toBe('could not start');
    expect(endText(record(1, { outcome: 'limit', outcomeDetail: 'memory' }))).toBe('went over its memory limit after 35ms');
  });

  it('show the date only for another day', () => {
    expect(clock(NOW - 1000, NOW)).toBe(localTime(NOW - 1000).slice(11));
    expect(clock(NOW - 3 * 86_400_000, NOW)).toBe(localTime(NOW - 3 * 86_400_000));
  });
});
