// The restart decision (daemon/jobs/restart-policy.ts) over simulated timelines: no real time,
// no real randomness (random() is given), so every delay is exact.

import { describe, expect, it } from 'vitest';
import { decideRestart, defaultRestartSpec, type RestartDecision, type RestartSpec, type RunEnd } from '../../../daemon/jobs/restart-policy.js';
import type { RestartHistory } from '../../../shared/restart.js';

const NO_JITTER = () => 0.5;
const fresh: RestartHistory = { restartTimes: [], quickFailures: 0 };

/** A run from `startedAt` lasting `ms` that exited with `exitCode` (outcome exit). */
const exited = (startedAt: number, ms: number, exitCode: number): RunEnd => ({ outcome: 'exit', exitCode, stoppedBy: null, startedAt, endedAt: startedAt + ms });

/**
 * Runs a job whose every run lasts `runMs[i]` and exits `exitCode`, restarting as decided; returns
 * each decision (stops at the first that is not a restart).
 */
function timeline(spec: RestartSpec, runMs: number[], exitCode = 1): RestartDecision[] {
  let now = 1_000_000;
  let history = fresh;
  const out: RestartDecision[] = [];
  for (const ms of runMs) {
    const end = exited(now, ms, exitCode);
    const d = decideRestart(spec, end, history, end.endedAt, NO_JITTER);
    out.push(d);
    if (d.kind !== 'restart') break;
    history = d.history;
    now = d.at;
  }
  return out;
}

const delays = (ds: RestartDecision[]) => ds.map((d) => (d.kind === 'restart' ? d.delayMs : d.kind));

describe('restart policies', () => {
  it('no: never restarts', () => {
    expect(decideRestart(defaultRestartSpec('no'), exited(0, 10, 1), fresh, 10, NO_JITTER)).toMatchObject({ kind: 'stay_down' });
  });

  it('on-failure: a clean exit stays down; a failure restarts after 1 s, doubling to the 60 s cap', () => {
    const spec = defaultRestartSpec('on-failure');
    expect(decideRestart(spec, exited(0, 10, 0), fresh, 10, NO_JITTER)).toMatchObject({ kind: 'stay_down', reason: expect.stringContaining('exited 0') });
    const unlimited = { ...spec, maxRestarts: null };
    expect(delays(timeline(unlimited, Array(9).fill(100)))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('jitter spreads each delay by at most ±10%', () => {
    const spec = defaultRestartSpec('always');
    const at = (r: number) => decideRestart(spec, exited(0, 100, 1), { restartTimes: [], quickFailures: 3 }, 100, () => r);
    expect(at(0)).toMatchObject({ kind: 'restart', delayMs: 7200 }); // 8 s − 10%
    expect(at(0.999999)).toMatchObject({ kind: 'restart', delayMs: 8800 }); // just under 8 s + 10%
    expect(at(0.5)).toMatchObject({ kind: 'restart', delayMs: 8000 });
  });

  it('a run that stayed up for the stable period resets the backoff', () => {
    const spec = { ...defaultRestartSpec('on-failure'), maxRestarts: null };
    // five quick failures (1, 2, 4, 8, 16 s), then one run of 30 s, then quick again
    expect(delays(timeline(spec, [100, 100, 100, 100, 100, 30_000, 100, 100]))).toEqual([1000, 2000, 4000, 8000, 16_000, 1000, 1000, 2000]);
    // 29.9 s is not stable: the backoff goes on
    expect(delays(timeline(spec, [100, 100, 29_900]))).toEqual([1000, 2000, 4000]);
  });

  it('on-failure gives up after 10 restarts within 10 minutes (restarts_exhausted)', () => {
    const ds = timeline(defaultRestartSpec('on-failure'), Array(20).fill(100));
    expect(ds).toHaveLength(11);
    expect(ds.slice(0, 10).every((d) => d.kind === 'restart')).toBe(true);
    expect(ds[10]).toMatchObject({ kind: 'give_up', reason: '10 restarts within 600s (at most 10)' });
  });

  it('restarts that fall out of the window no longer count', () => {
    const spec = { ...defaultRestartSpec('on-failure'), maxRestarts: 3, windowMs: 60_000 };
    // each run lasts 40 s (stable at 30 s): 1 s delays, ~41 s apart, so at most 2 in any 60 s window
    const ds = timeline(spec, Array(10).fill(40_000));
    expect(ds.every((d) => d.kind === 'restart')).toBe(true);
    // quick failures pile up inside the window: the fourth is refused
    expect(timeline(spec, Array(10).fill(100)).map((d) => d.kind)).toEqual(['restart', 'restart', 'restart', 'give_up']);
  });

  it('always and unless-stopped restart after a clean exit too, without limit by default', () => {
    for (const policy of ['always', 'unless-stopped'] as const) {
      const ds = timeline(defaultRestartSpec(policy), Array(100).fill(100), 0);
      expect(ds).toHaveLength(100);
      expect(ds.every((d) => d.kind === 'restart')).toBe(true);
      expect(Math.max(...ds.map((d) => (d.kind === 'restart' ? d.delayMs : 0)))).toBe(60_000);
    }
  });

  it('a job stopped by procd (kill, daemon stop, cleanup) never restarts, whatever its policy', () => {
    for (const policy of ['on-failure', 'always', 'unless-stopped'] as const) {
      for (const stoppedBy of ['user', 'shutdown', 'cleanup'] as const) {
        const end: RunEnd = { outcome: 'signal', exitCode: 143, stoppedBy, startedAt: 0, endedAt: 100 };
        expect(decideRestart(defaultRestartSpec(policy), end, fresh, 100, NO_JITTER)).toMatchObject({ kind: 'stay_down', reason: `stopped by procd (${stoppedBy})` });
      }
    }
  });

  it('on-failure restarts after a signal from outside, a timeout, a vanished process and a spawn error', () => {
    const spec = defaultRestartSpec('on-failure');
    const ends: RunEnd[] = [
      { outcome: 'signal', exitCode: 137, stoppedBy: null, startedAt: 0, endedAt: 100 },
      { outcome: 'timeout', exitCode: 143, stoppedBy: 'timeout', startedAt: 0, endedAt: 100 },
      { outcome: 'vanished', exitCode: null, stoppedBy: null, startedAt: 0, endedAt: 100 },
      { outcome: 'spawn_error', exitCode: null, stoppedBy: null, startedAt: 0, endedAt: 0 },
    ];
    for (const end of ends) expect(decideRestart(spec, end, fresh, 100, NO_JITTER)).toMatchObject({ kind: 'restart', delayMs: 1000 });
  });

  it('a limit kill restarts only when --on-limit asked for it', () => {
    const end: RunEnd = { outcome: 'limit', exitCode: 143, stoppedBy: 'limit', startedAt: 0, endedAt: 100 };
    expect(decideRestart(defaultRestartSpec('always'), end, fresh, 100, NO_JITTER)).toMatchObject({ kind: 'stay_down' });
    expect(decideRestart(defaultRestartSpec('always'), { ...end, restartOnLimit: true }, fresh, 100, NO_JITTER)).toMatchObject({ kind: 'restart' });
  });
});
