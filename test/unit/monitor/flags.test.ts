// The flag rules as pure functions: which conditions hold for a job at one instant
// (evaluateConditions) and how they merge into the job's current flags (diffFlags).

import { describe, expect, it } from 'vitest';
import type { Command, Job, JobFlag, ResourceSample } from '../../../shared/job.js';
import { diffFlags, evaluateConditions, holdBottleneck, type Condition, type FlagInputs } from '../../../daemon/monitor/flags.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../../daemon/monitor/thresholds.js';
import { completedState, makeJob, queuedState, runningState } from '../../helpers/job-factory.js';

const STARTED = 1_000_000;
const T: Thresholds = { ...DEFAULT_THRESHOLDS, cpuPercent: 80, cpuSamples: 3, memoryFraction: 0.7, maxCpuPercent: 0, maxRssBytes: 0, zombieAfterMs: 5000 };

function job(over: { command?: Command; stuckAfterMs?: number; expectMs?: number | null; lastOutputAt?: number | null; state?: Job['state'] } = {}): Job {
  return makeJob({
    createdAt: STARTED - 10,
    spec: { command: over.command ?? { kind: 'argv', argv: ['sleep', '100'] }, expectMs: over.expectMs ?? null, stuckAfterMs: over.stuckAfterMs ?? 0, maxOutputBytes: 1 << 20 },
    state: over.state ?? runningState({ startedAt: STARTED, pid: 100, startTicks: 5, shimPid: 99 }),
    output: { lastOutputAt: over.lastOutputAt ?? null },
  });
}

function sample(cpuPercent: number | null, rssBytes = 10 << 20): ResourceSample {
  return { at: 0, cpuPercent, rssBytes, mainRssBytes: rssBytes, processes: 1, threads: 1, fds: 3, states: { S: 1 } };
}

function inputs(now: number, over: Partial<FlagInputs> = {}): FlagInputs {
  return { now, sample: null, hotSamples: 0, zombies: [], totalMemoryBytes: 8 << 30, baselineMs: null, ...over };
}

const kinds = (cs: Condition[]) => cs.map((c) => c.kind);
const find = (cs: Condition[], kind: string) => cs.find((c) => c.kind === kind);

describe('evaluateConditions', () => {
  it('says nothing about a job that is not running', () => {
    const ended = completedState({ startedAt: STARTED, endedAt: STARTED + 5, durationMs: 5, pid: 100, startTicks: 5 });
    const j = job({ state: ended, stuckAfterMs: 1, expectMs: 1 });
    expect(evaluateConditions(j, inputs(STARTED + 1e9, { sample: sample(500), hotSamples: 99, zombies: [{ pid: 7, ppid: 100, since: 0 }] }), T)).toEqual([]);
    expect(evaluateConditions(job({ state: queuedState({ queuedAt: 0 }), stuckAfterMs: 1 }), inputs(STARTED + 1e9), T)).toEqual([]);
  });

  describe('stuck', () => {
    it('is raised exactly at stuckAfterMs of silence since the last output, not a millisecond before', () => {
      const j = job({ stuckAfterMs: 1000, lastOutputAt: STARTED + 500 });
      expect(kinds(evaluateConditions(j, inputs(STARTED + 1499), T))).toEqual([]);
      const at = evaluateConditions(j, inputs(STARTED + 1500), T);
      expect(kinds(at)).toEqual(['stuck']);
      expect(find(at, 'stuck')).toMatchObject({ severity: 'medium', pids: [], data: { silentMs: 1000, stuckAfterMs: 1000, lastOutputAt: STARTED + 500 } });
      expect(find(at, 'stuck')!.detail).toMatch(/no output for/);
    });

    it('counts silence from the start when the job never wrote anything (or wrote before this run)', () => {
      expect(kinds(evaluateConditions(job({ stuckAfterMs: 1000 }), inputs(STARTED + 999), T))).toEqual([]);
      expect(kinds(evaluateConditions(job({ stuckAfterMs: 1000 }), inputs(STARTED + 1000), T))).toEqual(['stuck']);
      // output from before the start (a previous run's file) does not count as silence
      expect(kinds(evaluateConditions(job({ stuckAfterMs: 1000, lastOutputAt: STARTED - 60_000 }), inputs(STARTED + 999), T))).toEqual([]);
    });

    it('is disabled by stuckAfterMs 0', () => {
      expect(kinds(evaluateConditions(job({ stuckAfterMs: 0 }), inputs(STARTED + 1e9), T))).toEqual([]);
    });

    it('is never raised for an adopted process, whose output is unknown', () => {
      const j = job({ command: { kind: 'adopted', argv: ['sleep', '100'] }, stuckAfterMs: 1000 });
      expect(kinds(evaluateConditions(j, inputs(STARTED + 1e9), T))).toEqual([]);
    });
  });

  describe('time sink', () => {
    it('is medium from 2× the expected time and high from 3×, with the ratio', () => {
      const j = job({ expectMs: 1000 });
      expect(kinds(evaluateConditions(j, inputs(STARTED + 1999), T))).toEqual([]);
      const medium = find(evaluateConditions(j, inputs(STARTED + 2000), T), 'time_sink');
      expect(medium).toMatchObject({ severity: 'medium', data: { elapsedMs: 2000, expectedMs: 1000, ratio: 2 } });
      expect(medium!.detail).toMatch(/the expected/);
      expect(find(evaluateConditions(j, inputs(STARTED + 2999), T), 'time_sink')?.severity).toBe('medium');
      expect(find(evaluateConditions(j, inputs(STARTED + 3000), T), 'time_sink')).toMatchObject({ severity: 'high', data: { ratio: 3 } });
    });

    it('uses the learned baseline when the job gave no expectation, and nothing when neither is known', () => {
      const j = job();
      expect(kinds(evaluateConditions(j, inputs(STARTED + 1e9), T))).toEqual([]);
      const usual = find(evaluateConditions(j, inputs(STARTED + 2500, { baselineMs: 1000 }), T), 'time_sink');
      expect(usual).toMatchObject({ severity: 'medium', data: { expectedMs: 1000 } });
      expect(usual!.detail).toMatch(/the usual/);
      // an explicit expectation wins over the baseline
      expect(find(evaluateConditions(job({ expectMs: 10_000 }), inputs(STARTED + 2500, { baselineMs: 1000 }), T), 'time_sink')).toBeUndefined();
    });

    it('follows the configured factors', () => {
      const t = { ...T, timeSinkFactor: 1.5, timeSinkHighFactor: 4 };
      expect(find(evaluateConditions(job({ expectMs: 1000 }), inputs(STARTED + 1500), t), 'time_sink')?.severity).toBe('medium');
      expect(find(evaluateConditions(job({ expectMs: 1000 }), inputs(STARTED + 3999), t), 'time_sink')?.severity).toBe('medium');
      expect(find(evaluateConditions(job({ expectMs: 1000 }), inputs(STARTED + 4000), t), 'time_sink')?.severity).toBe('high');
    });
  });

  describe('bottleneck', () => {
    it('needs cpuSamples consecutive hot samples', () => {
      const j = job();
      expect(kinds(evaluateConditions(j, inputs(STARTED + 10, { sample: sample(99), hotSamples: 2 }), T))).toEqual([]);
      const c = find(evaluateConditions(j, inputs(STARTED + 10, { sample: sample(99), hotSamples: 3 }), T), 'bottleneck');
      expect(c).toMatchObject({ severity: 'medium', data: { cpuPercent: 99, rssBytes: 10 << 20 } });
      expect(c!.detail).toMatch(/CPU 99% of a core for 3 samples/);
      expect(kinds(evaluateConditions(j, inputs(STARTED + 10, { sample: sample(99), hotSamples: 3 }), { ...T, cpuSamples: 4 }))).toEqual([]);
    });

    it('is raised at once over an absolute CPU or RSS limit', () => {
      const j = job();
      expect(find(evaluateConditions(j, inputs(STARTED, { sample: sample(150), hotSamples: 1 }), { ...T, maxCpuPercent: 150 }), 'bottleneck')!.detail).toMatch(/over the limit 150%/);
      expect(kinds(evaluateConditions(j, inputs(STARTED, { sample: sample(149), hotSamples: 1 }), { ...T, maxCpuPercent: 150 }))).toEqual([]);
      expect(find(evaluateConditions(j, inputs(STARTED, { sample: sample(1, 100 << 20) }), { ...T, maxRssBytes: 100 << 20 }), 'bottleneck')).toMatchObject({ severity: 'medium' });
      expect(kinds(evaluateConditions(j, inputs(STARTED, { sample: sample(1, (100 << 20) - 1) }), { ...T, maxRssBytes: 100 << 20 }))).toEqual([]);
    });

    it('is high when the job holds a large share of the machine memory', () => {
      const c = find(evaluateConditions(job(), inputs(STARTED, { sample: sample(1, 700), totalMemoryBytes: 1000 }), T), 'bottleneck');
      expect(c).toMatchObject({ severity: 'high', data: { memoryShare: 0.7 } });
      expect(kinds(evaluateConditions(job(), inputs(STARTED, { sample: sample(1, 699), totalMemoryBytes: 1000 }), T))).toEqual([]);
    });

    it('needs a sample, and treats an unknown CPU reading as cold', () => {
      expect(kinds(evaluateConditions(job(), inputs(STARTED, { sample: null, hotSamples: 10 }), { ...T, maxCpuPercent: 1 }))).toEqual([]);
      expect(kinds(evaluateConditions(job(), inputs(STARTED, { sample: sample(null) }), { ...T, maxCpuPercent: 1 }))).toEqual([]);
    });
  });

  describe('zombie', () => {
    it('flags zombies older than zombieAfterMs with their pids and distinct parents', () => {
      const now = STARTED + 100_000;
      const zombies = [
        { pid: 201, ppid: 100, since: now - 5000 },
        { pid: 202, ppid: 100, since: now - 7000 },
        { pid: 203, ppid: 150, since: now - 6000 },
        { pid: 204, ppid: 160, since: now - 4999 },
      ];
      const c = find(evaluateConditions(job(), inputs(now, { zombies }), T), 'zombie');
      expect(c).toMatchObject({ severity: 'medium', pids: [201, 202, 203], data: { parents: [100, 150], oldestMs: 7000 } });
      expect(c!.detail).toMatch(/3 zombie process\(es\) 201 202 203 not reaped by parent 100 150/);
    });

    it('says nothing about zombies younger than the threshold', () => {
      const now = STARTED + 100_000;
      expect(kinds(evaluateConditions(job(), inputs(now, { zombies: [{ pid: 201, ppid: 100, since: now - 4999 }] }), T))).toEqual([]);
      expect(kinds(evaluateConditions(job(), inputs(now, { zombies: [{ pid: 201, ppid: 100, since: now - 500 }] }), { ...T, zombieAfterMs: 500 }))).toEqual(['zombie']);
    });
  });

  it('reports several conditions at once', () => {
    const j = job({ stuckAfterMs: 1000, expectMs: 100 });
    const now = STARTED + 10_000;
    const cs = evaluateConditions(j, inputs(now, { sample: sample(100), hotSamples: 3, zombies: [{ pid: 5, ppid: 100, since: 0 }] }), T);
    expect(kinds(cs).sort()).toEqual(['bottleneck', 'stuck', 'time_sink', 'zombie']);
  });
});

describe('diffFlags', () => {
  const TICK = ['stuck', 'time_sink', 'bottleneck', 'zombie'] as const;
  const cond = (kind: Condition['kind'], over: Partial<Condition> = {}): Condition => ({ kind, detail: `${kind} now`, severity: 'medium', pids: [], data: {}, ...over });
  const flag = (kind: JobFlag['kind'], raisedAt: number, over: Partial<JobFlag> = {}): JobFlag => ({ ...cond(kind), raisedAt, ...over });

  it('raises new conditions at `at`', () => {
    const d = diffFlags([], [cond('stuck')], TICK, 500);
    expect(d.raised).toEqual([flag('stuck', 500)]);
    expect(d.flags).toEqual([flag('stuck', 500)]);
    expect(d.cleared).toEqual([]);
    expect(d.dirty).toBe(true);
  });

  it('keeps raisedAt of a continuing flag and takes the fresh figures without counting it a change', () => {
    const d = diffFlags([flag('stuck', 100, { detail: 'old', data: { silentMs: 1 } })], [cond('stuck', { detail: 'new', data: { silentMs: 9 } })], TICK, 500);
    expect(d.flags).toEqual([{ ...cond('stuck', { detail: 'new', data: { silentMs: 9 } }), raisedAt: 100 }]);
    expect(d.raised).toEqual([]);
    expect(d.cleared).toEqual([]);
    expect(d.dirty).toBe(false);
  });

  it('counts a severity or pid change as a change, but not as a raise; a severity change is reported with the old severity', () => {
    const sev = diffFlags([flag('time_sink', 100)], [cond('time_sink', { severity: 'high' })], TICK, 500);
    expect(sev).toMatchObject({ dirty: true, raised: [], cleared: [] });
    expect(sev.flags[0]).toMatchObject({ severity: 'high', raisedAt: 100 });
    expect(sev.changed).toEqual([{ flag: sev.flags[0], from: 'medium' }]);
    const pids = diffFlags([flag('zombie', 100, { pids: [1] })], [cond('zombie', { pids: [1, 2] })], TICK, 500);
    expect(pids).toMatchObject({ dirty: true, raised: [], changed: [] });
  });

  it('clears flags whose condition is gone, with clearedAt', () => {
    const d = diffFlags([flag('stuck', 100), flag('bottleneck', 200)], [cond('bottleneck')], TICK, 500);
    expect(d.cleared).toEqual([{ ...flag('stuck', 100), clearedAt: 500 }]);
    expect(d.flags.map((f) => f.kind)).toEqual(['bottleneck']);
    expect(d.flags[0]!.raisedAt).toBe(200);
    expect(d.dirty).toBe(true);
  });

  it('leaves flags of other kinds alone', () => {
    const leftovers = flag('leftovers', 50, { pids: [9] });
    const d = diffFlags([leftovers, flag('stuck', 100)], [], TICK, 500);
    expect(d.flags).toEqual([leftovers]);
    expect(d.cleared.map((f) => f.kind)).toEqual(['stuck']);
    const only = diffFlags([leftovers], [], ['leftovers'], 600);
    expect(only.flags).toEqual([]);
    expect(only.cleared).toEqual([{ ...leftovers, clearedAt: 600 }]);
  });

  it('reports no change when nothing holds and nothing was raised', () => {
    expect(diffFlags([], [], TICK, 1)).toEqual({ flags: [], raised: [], cleared: [], changed: [], dirty: false });
  });
});

describe('holdBottleneck', () => {
  const t = { ...DEFAULT_THRESHOLDS, cpuSamples: 3 };
  const raised: JobFlag = { kind: 'bottleneck', raisedAt: 100, detail: 'CPU 95% of a core for 3 samples (≥ 80%)', severity: 'medium', pids: [], data: { cpuPercent: 95 } };

  it('keeps a raised bottleneck through fewer calm samples than it took to raise it, then lets it clear', () => {
    expect(holdBottleneck([raised], [], 1, t)).toEqual([{ kind: 'bottleneck', detail: raised.detail, severity: 'medium', pids: [], data: { cpuPercent: 95 } }]);
    expect(holdBottleneck([raised], [], 2, t)).toHaveLength(1);
    expect(holdBottleneck([raised], [], 3, t)).toEqual([]);
  });

  it('changes nothing when no bottleneck is raised, or when the condition holds now', () => {
    expect(holdBottleneck([], [], 1, t)).toEqual([]);
    const now = [{ kind: 'bottleneck' as const, detail: 'again', severity: 'medium' as const, pids: [], data: {} }];
    expect(holdBottleneck([raised], now, 0, t)).toBe(now);
  });
});
