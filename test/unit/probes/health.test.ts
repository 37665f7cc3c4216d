// The health score follows the documented formula (shared/health.ts) on jobs with a known set of
// flags, probes, violations and restarts.

import { describe, expect, it } from 'vitest';
import { healthOf } from '../../../shared/health.js';
import type { JobFlag } from '../../../shared/job.js';
import { PROBE_DEFAULTS } from '../../../shared/probes.js';
import type { RunRecord } from '../../../shared/restart.js';
import { T0, completedState, makeJob, runningState } from '../../helpers/job-factory.js';

const NOW = T0 + 3600_000;
const flag = (kind: JobFlag['kind'], severity: JobFlag['severity']): JobFlag => ({ kind, severity, raisedAt: T0, detail: `${kind} detail`, pids: [], data: {} });
const run = (n: number, endedAt: number): RunRecord => ({ run: n, state: 'failed', outcome: 'exit', outcomeDetail: null, exitCode: 1, signal: null, startedAt: endedAt - 1000, endedAt, durationMs: 1000, pid: 5, dir: '/x', then: 'restart' });
const probe = { when: { kind: 'tcp' as const, host: '127.0.0.1', port: 9 }, ...PROBE_DEFAULTS, initialDelayMs: 5000 };

describe('health score', () => {
  it('is 100 with no reasons for a quiet healthy job, and absent for one without a process', () => {
    expect(healthOf(makeJob({ state: runningState({ startedAt: T0 }) }), NOW)).toEqual({ score: 100, reasons: [] });
    expect(healthOf(makeJob({ state: completedState() }), NOW)).toBeNull();
  });

  it('takes 20 per high flag, 10 per medium one, 20 per violation and 10 per restart in the last 10 minutes', () => {
    const job = makeJob({
      state: runningState({ startedAt: NOW - 60_000 }),
      flags: [flag('bottleneck', 'high'), flag('stuck', 'medium'), flag('time_sink', 'medium')],
      violations: [
        { limit: 'memory', value: 2, max: 1, at: NOW - 60_000, action: 'warn' },
        { limit: 'cpu', value: 2, max: 1, at: NOW - 11 * 60_000, action: 'warn' }, // older than 10 minutes: not counted
      ],
      runs: { current: 4, restarts: 3, earlier: [run(1, NOW - 30 * 60_000), run(2, NOW - 120_000), run(3, NOW - 60_000)], history: { restartTimes: [], quickFailures: 0 } },
    });
    const h = healthOf(job, NOW)!;
    // 100 − 20 (high) − 10 − 10 (two medium) − 20 (one recent violation) − 20 (two recent restarts)
    expect(h.score).toBe(20);
    expect(h.reasons.map((r) => r.points).sort((a, b) => a - b)).toEqual([-20, -20, -20, -10, -10]);
    expect(h.reasons.find((r) => r.points === -20 && r.why.includes('restarts'))?.why).toBe('2 restarts in the last 10 minutes');
  });

  it('takes 50 while the liveness probe fails (not again for its unhealthy flag) and 30 while not ready after the initial delay; floor 0', () => {
    const failing = { at: NOW - 1000, ok: false, detail: 'ECONNREFUSED 127.0.0.1:9' };
    const job = makeJob({
      state: runningState({ startedAt: NOW - 60_000 }),
      spec: { probes: { ready: probe, alive: probe } },
      probes: { ready: null, unhealthySince: NOW - 5000, liveness: { checks: 3, passes: 0, failures: 3, last: failing }, readiness: { checks: 3, passes: 0, failures: 3, last: failing } },
      flags: [flag('unhealthy', 'high'), flag('bottleneck', 'high')],
    });
    const h = healthOf(job, NOW)!;
    expect(h.score).toBe(0); // 100 − 50 − 30 − 20 = 0
    expect(h.reasons).toEqual([
      { points: -50, why: 'liveness probe failing: ECONNREFUSED 127.0.0.1:9' },
      { points: -30, why: 'not ready: ECONNREFUSED 127.0.0.1:9' },
      { points: -20, why: 'bottleneck (high): bottleneck detail' },
    ]);
    // Within the initial delay, not being ready yet costs nothing.
    const young = makeJob({ state: runningState({ startedAt: NOW - 1000 }), spec: { probes: { ready: probe } } });
    expect(healthOf(young, NOW)).toEqual({ score: 100, reasons: [] });
  });
});
