import { describe, expect, it } from 'vitest';
import { AlertEngine, cooledDown, failureOf, failureRate, runEndOf } from '../../../daemon/alerts/alert-engine.js';
import type { AlertRule } from '../../../shared/alerts.js';
import type { NewEvent, ProcdEvent } from '../../../shared/events.js';
import type { JobFlag, JobState } from '../../../shared/job.js';
import { completedState, failedState, killedState, lostState, queuedState, timedOutState } from '../../helpers/job-factory.js';

const MIN = 60_000;
const job = (id: number, name = `job${id}`) => ({ id, name, tags: [], state: 'running' as const });
const flag = (kind: JobFlag['kind'] = 'stuck'): JobFlag => ({ kind, raisedAt: 0, detail: 'no output for 61s', severity: 'medium', pids: [], data: {} });
let seq = 0;
const ev = (e: NewEvent, at = 0): ProcdEvent => ({ seq: ++seq, at, ...e }) as ProcdEvent;
const raised = (id: number, kind: JobFlag['kind'] = 'stuck') => ev({ kind: 'flag.raised', job: job(id), flag: flag(kind) });
const ended = (id: number, state: JobState) => ev({ kind: 'job.state', job: job(id), from: 'running', to: state.kind, state });

const flagRule: AlertRule = { name: 'stuck-jobs', when: 'flag', flags: ['stuck'], severity: 'warning', cooldownMs: 10 * MIN };
const rateRule: AlertRule = { name: 'failing', when: 'failure-rate', over: 0.5, withinMs: 10 * MIN, minRuns: 3, severity: 'critical', cooldownMs: 30 * MIN };

describe('alert engine (fake clock)', () => {
  it('fires a flag rule once per job within its cooldown, again after it, and not for other flags', () => {
    const engine = new AlertEngine([flagRule]);
    const first = engine.observe(raised(1), 0);
    expect(first).toEqual([{ rule: 'stuck-jobs', severity: 'warning', summary: 'job1 (job 1): flagged stuck (medium): no output for 61s', data: { flag: 'stuck', flagSeverity: 'medium' }, job: job(1) }]);
    expect(engine.observe(raised(1), 5 * MIN)).toEqual([]);
    // Another job has its own cooldown.
    expect(engine.observe(raised(2), 5 * MIN)).toHaveLength(1);
    expect(engine.observe(raised(1, 'bottleneck'), 6 * MIN)).toEqual([]);
    expect(engine.observe(raised(1), 10 * MIN - 1)).toEqual([]);
    expect(engine.observe(raised(1), 10 * MIN)).toHaveLength(1);
  });

  it('fires a failure-rate rule when more than the share of at least minRuns ends within the window failed', () => {
    const engine = new AlertEngine([rateRule]);
    expect(engine.observe(ended(1, failedState()), 0)).toEqual([]); // 1 of 1: too few runs
    expect(engine.observe(ended(2, completedState()), 1 * MIN)).toEqual([]);
    // 2 of 3 failed (67% > 50%).
    const fired = engine.observe(ended(3, failedState()), 2 * MIN);
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ rule: 'failing', severity: 'critical', summary: '2 of 3 runs failed in the last 10m00s (67%, over 50%); the last: job3 (job 3)', data: { runs: 3, failures: 2 } });
    // The job whose end tipped it over, so job filters and timelines can place it.
    expect(fired[0]!.job).toEqual(job(3));
    // Within the cooldown: quiet, however bad it gets.
    expect(engine.observe(ended(4, failedState()), 3 * MIN)).toEqual([]);
  });

  it('forgets ends that left the window and stays quiet at exactly the threshold', () => {
    const engine = new AlertEngine([rateRule]);
    engine.observe(ended(1, failedState()), 0);
    engine.observe(ended(2, failedState()), 1 * MIN);
    // 11 minutes on, those two are out of the window: 1 failure of 1 run is too few.
    expect(engine.observe(ended(3, failedState()), 11 * MIN)).toEqual([]);
    engine.observe(ended(4, completedState()), 12 * MIN);
    engine.observe(ended(5, completedState()), 12 * MIN);
    // 2 of 4 = 50%: not over 50%.
    expect(engine.observe(ended(6, failedState()), 13 * MIN)).toEqual([]);
  });

  it('fires limit and lost rules for the job, not for a released adopted process', () => {
    const engine = new AlertEngine([
      { name: 'limits', when: 'limit', severity: 'critical', cooldownMs: MIN },
      { name: 'lost', when: 'lost', severity: 'critical', cooldownMs: MIN },
    ]);
    const over = ev({ kind: 'limit.exceeded', job: job(1), violation: { limit: 'memory', value: 600, max: 512, at: 0, action: 'kill' } });
    expect(engine.observe(over, 0)).toMatchObject([{ rule: 'limits', summary: 'job1 (job 1): over its memory limit: 600B > 512B (kill)', data: { limit: 'memory', value: 600, max: 512, action: 'kill' } }]);
    expect(engine.observe(ended(2, lostState()), 0)).toMatchObject([{ rule: 'lost', summary: 'job2 (job 2): lost: gone' }]);
    expect(engine.observe(ended(3, lostState({ outcome: 'released' })), 0)).toEqual([]);
  });

  it('counts failed and timed out runs as failures, as analyze does; a kill is nobody’s failure and a lost run’s end is unknown', () => {
    expect(failureOf(failedState())).toBe(true);
    expect(failureOf(timedOutState())).toBe(true);
    expect(failureOf(lostState())).toBeNull();
    expect(failureOf(completedState())).toBe(false);
    expect(failureOf(killedState())).toBeNull();
    expect(failureOf(lostState({ outcome: 'released' }))).toBeNull();
    expect(failureRate([{ at: 1, failed: true }, { at: 5, failed: false }], 10, 6)).toEqual({ runs: 1, failures: 0, rate: 0 });
    expect(cooledDown(undefined, 0, 10)).toBe(true);
    expect(cooledDown(0, 9, 10)).toBe(false);
    expect(cooledDown(0, 10, 10)).toBe(true);
  });

  it('counts the runs of a crash loop: a run its policy restarts ends in the job records, not in a terminal state', () => {
    const engine = new AlertEngine([rateRule]);
    const restarting = (id: number, from: JobState['kind']) =>
      ev({ kind: 'job.state', job: job(id), from, to: 'queued', state: queuedState({ reason: { kind: 'restart', at: 0, detail: 'run exited 3', delayMs: 1000, run: 2 } }) });
    const crashed = { state: 'failed' as const, outcome: 'exit' as const };
    expect(runEndOf(restarting(1, 'running'), crashed)).toBe(true);
    expect(runEndOf(restarting(1, 'running'), { state: 'killed', outcome: 'signal' })).toBeNull();
    // An ended job run again (procd restart) was counted when it ended.
    expect(runEndOf(restarting(1, 'failed'), crashed)).toBeNull();
    expect(engine.observe(restarting(1, 'running'), 0, crashed)).toEqual([]);
    expect(engine.observe(restarting(1, 'running'), 1000, crashed)).toEqual([]);
    expect(engine.observe(restarting(1, 'running'), 2000, crashed)).toMatchObject([{ rule: 'failing', data: { runs: 3, failures: 3 } }]);
  });
});
