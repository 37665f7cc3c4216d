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
});
