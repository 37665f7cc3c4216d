// A quiet service is not flagged stuck where a quiet task is, and a service gets no time sink
// from a learned baseline (only from its own --expect): the monitor's pure flag rule, with the
// specs built as track builds them and the time moved by a fake clock.

import { describe, expect, it } from 'vitest';
import { buildSpec } from '../../../daemon/jobs/job-spec.js';
import { evaluateConditions, type FlagInputs } from '../../../daemon/monitor/flags.js';
import { DEFAULT_THRESHOLDS } from '../../../daemon/monitor/thresholds.js';
import type { Command, Job, JobKind } from '../../../shared/job.js';
import type { ParamsOf } from '../../../shared/methods.js';
import { makeJob, runningState } from '../../helpers/job-factory.js';
import { FakeClock } from '../jobs/fake-clock.js';

const DEFAULTS = { stuckAfterMs: 60_000, maxOutputBytes: 1 << 20 };

function quietJob(clock: FakeClock, kind: JobKind, over: Partial<ParamsOf<'track'>> = {}): Job {
  const command: Command = { kind: 'argv', argv: ['sleep', '1000'] };
  const spec = buildSpec({ cwd: '/', argv: ['sleep', '1000'], kind, ...over }, command, {}, DEFAULTS);
  return makeJob({ spec, state: runningState({ startedAt: clock.now() }), output: { lastOutputAt: null } });
}

const inputs = (clock: FakeClock, over: Partial<FlagInputs> = {}): FlagInputs => ({ now: clock.now(), sample: null, hotSamples: 0, zombies: [], totalMemoryBytes: 8 << 30, baselineMs: null, ...over });
const kinds = (job: Job, clock: FakeClock, over: Partial<FlagInputs> = {}) => evaluateConditions(job, inputs(clock, over), DEFAULT_THRESHOLDS).map((c) => c.kind);

describe('services and tasks in the flag rules', () => {
  it('flags a task silent for the default stuck-after, and not a service silent as long', () => {
    const clock = new FakeClock();
    const task = quietJob(clock, 'task');
    const service = quietJob(clock, 'service');
    clock.advance(59_999);
    expect(kinds(task, clock)).toEqual([]);
    clock.advance(1);
    expect(kinds(task, clock)).toEqual(['stuck']);
    expect(kinds(service, clock)).toEqual([]);
    clock.advance(24 * 3_600_000);
    expect(kinds(service, clock)).toEqual([]);
  });

  it('flags a service that asked for it with --stuck-after', () => {
    const clock = new FakeClock();
    const service = quietJob(clock, 'service', { stuckAfterMs: 1000 });
    clock.advance(1000);
    expect(kinds(service, clock)).toEqual(['stuck']);
  });

  it('gives a task a time sink from the learned baseline, a service only from its own --expect', () => {
    const clock = new FakeClock();
    const task = quietJob(clock, 'task', { stuckAfterMs: 0 });
    const service = quietJob(clock, 'service');
    const expecting = quietJob(clock, 'service', { expectMs: 10_000 });
    clock.advance(20_000);
    expect(kinds(task, clock, { baselineMs: 10_000 })).toEqual(['time_sink']);
    expect(kinds(service, clock, { baselineMs: 10_000 })).toEqual([]);
    expect(kinds(expecting, clock, { baselineMs: null })).toEqual(['time_sink']);
  });

  it('never flags a ready service stuck, even one that asked for --stuck-after; a task with a readiness probe still can be', () => {
    const clock = new FakeClock();
    const probes = { ready: { when: { kind: 'tcp' as const, host: '127.0.0.1', port: 9 } } };
    const ready = { ready: { at: clock.now(), tookMs: 0 }, unhealthySince: null };
    const service = { ...quietJob(clock, 'service', { stuckAfterMs: 10_000, probes }), probes: ready };
    const notReady = quietJob(clock, 'service', { stuckAfterMs: 10_000, probes });
    const task = { ...quietJob(clock, 'task', { probes }), probes: ready };
    clock.advance(3_600_000);
    expect(kinds(service, clock)).toEqual([]);
    expect(kinds(notReady, clock)).toEqual(['stuck']);
    expect(kinds(task, clock)).toEqual(['stuck']);
  });

  it('flags a job whose liveness probe failed (high), with the probe and its last answer', () => {
    const clock = new FakeClock();
    const job = quietJob(clock, 'service', { probes: { alive: { when: { kind: 'http', url: 'http://127.0.0.1:9/health' } } } });
    const last = { at: clock.now(), ok: false, detail: 'ECONNREFUSED 127.0.0.1:9' };
    const unhealthy = { ...job, probes: { ready: null, unhealthySince: clock.now(), liveness: { checks: 3, passes: 0, failures: 3, last } } };
    expect(kinds(job, clock)).toEqual([]);
    const [flag] = evaluateConditions(unhealthy, inputs(clock), DEFAULT_THRESHOLDS);
    expect(flag).toMatchObject({ kind: 'unhealthy', severity: 'high', detail: 'liveness probe failing (3 in a row): ECONNREFUSED 127.0.0.1:9', data: { probe: 'http=http://127.0.0.1:9/health', failures: 3 } });
  });
});
