// The thresholds and the schedule, with plain numbers: ready after successThreshold passes in a
// row (once), unhealthy after failureThreshold failures in a row, healthy again after
// successThreshold passes; checks start after the initial delay and never overlap.

import { describe, expect, it } from 'vitest';
import { afterCheck, nextCheckAt } from '../../../daemon/probes/probe-state.js';
import { PROBE_DEFAULTS, type ProbeSpec, type ProbeStatus } from '../../../shared/probes.js';

const spec = (over: Partial<ProbeSpec> = {}): ProbeSpec => ({ when: { kind: 'tcp', host: '127.0.0.1', port: 1 }, ...PROBE_DEFAULTS, ...over });
const START = 10_000;

/** Feeds results (true = pass) one second apart; returns the status and the changes seen. */
function feed(role: 'ready' | 'alive', s: ProbeSpec, results: boolean[]) {
  let status: ProbeStatus | undefined;
  const changes: (string | null)[] = [];
  results.forEach((ok, i) => {
    const r = afterCheck(status, role, s, { at: START + 1000 * (i + 1), ok, detail: ok ? 'up' : 'down' }, START);
    status = r.status;
    changes.push(r.change);
  });
  return { status: status!, changes };
}

describe('readiness', () => {
  it('is ready at the first pass with the default threshold, with the time it took', () => {
    const { status, changes } = feed('ready', spec(), [false, false, true]);
    expect(changes).toEqual([null, null, 'ready']);
    expect(status.ready).toEqual({ at: START + 3000, tookMs: 3000 });
    expect(status.readiness).toMatchObject({ checks: 3, passes: 1, failures: 0, last: { ok: true, detail: 'up' } });
  });

  it('needs successThreshold passes in a row: a failure in between starts the count over', () => {
    const { status, changes } = feed('ready', spec({ successThreshold: 2 }), [true, false, true, true, true]);
    expect(changes).toEqual([null, null, null, 'ready', null]);
    expect(status.ready?.tookMs).toBe(4000);
  });

  it('stops checking once ready; before that the first check waits for the initial delay, the next ones for the interval after the last ended', () => {
    const s = spec({ initialDelayMs: 5000, intervalMs: 2000 });
    expect(nextCheckAt('ready', s, undefined, START, null)).toBe(START + 5000);
    expect(nextCheckAt('ready', s, undefined, START, START + 5300)).toBe(START + 7300);
    expect(nextCheckAt('ready', s, { ready: { at: 1, tookMs: 1 }, unhealthySince: null }, START, START + 5300)).toBeNull();
    expect(nextCheckAt('alive', s, { ready: { at: 1, tookMs: 1 }, unhealthySince: null }, START, START + 5300)).toBe(START + 7300);
  });
});

describe('liveness', () => {
  it('waits for readiness when the job has a readiness probe: first check when it became ready (not before its own initial delay)', () => {
    const s = spec({ initialDelayMs: 1000, intervalMs: 2000 });
    const notReady: ProbeStatus = { ready: null, unhealthySince: null };
    expect(nextCheckAt('alive', s, notReady, START, null, true)).toBeNull();
    expect(nextCheckAt('alive', s, { ready: { at: START + 7000, tookMs: 7000 }, unhealthySince: null }, START, null, true)).toBe(START + 7000);
    expect(nextCheckAt('alive', s, { ready: { at: START + 500, tookMs: 500 }, unhealthySince: null }, START, null, true)).toBe(START + 1000);
    expect(nextCheckAt('alive', s, notReady, START, null, false)).toBe(START + 1000);
  });

  it('turns unhealthy at failureThreshold failures in a row, once, and healthy after successThreshold passes', () => {
    const { status, changes } = feed('alive', spec({ failureThreshold: 3, successThreshold: 2 }), [true, false, false, true, false, false, false, false, true, true]);
    expect(changes).toEqual([null, null, null, null, null, null, 'unhealthy', null, null, 'healthy']);
    expect(status.unhealthySince).toBeNull();
    expect(status.liveness).toMatchObject({ checks: 10, passes: 2, failures: 0 });
  });

  it('remembers since when it is unhealthy', () => {
    const { status } = feed('alive', spec({ failureThreshold: 2 }), [false, false, false]);
    expect(status.unhealthySince).toBe(START + 2000);
    expect(status.liveness?.failures).toBe(3);
    expect(status.ready).toBeNull();
  });
});
