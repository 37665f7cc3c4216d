// The analysers of live jobs: bottlenecks (and whom they hold up), stuck jobs, duplicates, leftovers and zombies.
import { describe, expect, it } from 'vitest';
import { bottlenecks } from '../../../daemon/analysis/bottlenecks.js';
import { duplicates } from '../../../daemon/analysis/duplicates.js';
import { processProblems } from '../../../daemon/analysis/leftovers.js';
import { stuckJobs } from '../../../daemon/analysis/stuck.js';
import type { Job, JobFlag, ResourceStats } from '../../../shared/job.js';
import { completedState, makeJob, queuedState, runningState } from '../../helpers/job-factory.js';
import { analysisInput, GIB, NOW } from './input.js';

function resources(cpuNow: number | null, rssBytes: number, over: Partial<ResourceStats> = {}): ResourceStats {
  return {
    samples: 10, cpuSamples: 9, cpuPeak: 100, cpuAvg: 50, rssPeak: rssBytes, rssAvg: rssBytes, processesPeak: 1,
    last: { at: NOW - 500, cpuPercent: cpuNow, rssBytes, mainRssBytes: rssBytes, processes: 1, threads: 1, fds: 3, states: { R: 1 } },
    ...over,
  };
}
const flag = (kind: JobFlag['kind'], over: Partial<JobFlag> = {}): JobFlag => ({ kind, raisedAt: NOW - 5000, detail: kind, severity: 'medium', pids: [], data: {}, ...over });
const queuedIn = (id: number, group: string, waitsFor: 'slot' | 'resources' | 'dependencies'): Job =>
  makeJob({ id, spec: { group }, state: queuedState({ reason: { kind: 'queue', detail: 'in the queue' } }), standing: { waitsFor, detail: `waits for ${waitsFor}`, position: 1 } });

describe('bottlenecks', () => {
  it('a CPU hog with its figures, the queued jobs of its group waiting for a slot, jobs waiting for resources, and a job whose CPU share fell', () => {
    const hog = makeJob({ id: 1, spec: { group: 'build' }, state: runningState(), resources: resources(190, GIB), flags: [flag('bottleneck')] });
    const slowed = makeJob({ id: 2, state: runningState(), resources: resources(10, GIB, { cpuAvg: 60 }) });
    const steady = makeJob({ id: 3, state: runningState(), resources: resources(55, GIB, { cpuAvg: 60 }) });
    const jobs = [hog, slowed, steady, queuedIn(4, 'build', 'slot'), queuedIn(5, 'other', 'slot'), queuedIn(6, 'other', 'resources'), queuedIn(7, 'build', 'dependencies')];
    const [b, ...rest] = bottlenecks(analysisInput({ jobs }));
    expect(rest).toEqual([]);
    expect(b).toMatchObject({ jobId: 1, cpuPercent: 190, rssBytes: GIB, memoryShare: 0.063, over: ['cpu'], flaggedAt: NOW - 5000, severity: 'medium' });
    expect(b?.holdsUp.queued.map((q) => [q.jobId, q.waitsFor])).toEqual([[4, 'slot'], [6, 'resources']]);
    expect(b?.holdsUp.slowed).toEqual([{ jobId: 2, name: 'j2', cpuAvg: 60, cpuNow: 10 }]);
  });

  it('an adopted hog holds up no slot waiter of its group (it takes no slot), only what waits for resources', () => {
    const hog = makeJob({ id: 1, spec: { group: 'g', command: { kind: 'adopted', argv: ['burn'] } }, state: runningState(), resources: resources(150, GIB / 10) });
    const found = bottlenecks(analysisInput({ jobs: [hog, queuedIn(2, 'g', 'slot'), queuedIn(3, 'h', 'resources')] }));
    expect(found.map((b) => b.holdsUp.queued.map((q) => q.jobId))).toEqual([[3]]);
  });

  it('a memory hog over 70% of the machine is high; calm jobs are not bottlenecks', () => {
    const mem = makeJob({ id: 1, state: runningState(), resources: resources(5, 12 * GIB) });
    const calm = makeJob({ id: 2, state: runningState(), resources: resources(20, GIB) });
    const found = bottlenecks(analysisInput({ jobs: [mem, calm] }));
    expect(found.map((b) => [b.jobId, b.over, b.severity])).toEqual([[1, ['memory'], 'high']]);
  });

  it('a job whose share fell before the bottleneck was flagged is not said to be held up', () => {
    const hog = makeJob({ id: 1, state: runningState(), resources: resources(190, GIB), flags: [flag('bottleneck', { raisedAt: NOW - 100 })] });
    const slowed = makeJob({ id: 2, state: runningState(), resources: resources(10, GIB, { cpuAvg: 60 }) });
    expect(bottlenecks(analysisInput({ jobs: [hog, slowed] }))[0]?.holdsUp.slowed).toEqual([]);
  });
});

describe('stuck', () => {
  it('silent beyond its threshold: for how long, since when, and why there is no last line', () => {
    const stuck = makeJob({ id: 3, state: runningState({ startedAt: NOW - 600_000 }), spec: { stuckAfterMs: 60_000 }, output: { lastOutputAt: NOW - 120_000 } });
    const chatty = makeJob({ id: 4, state: runningState({ startedAt: NOW - 600_000 }), spec: { stuckAfterMs: 60_000 }, output: { lastOutputAt: NOW - 1000 } });
    const off = makeJob({ id: 5, state: runningState({ startedAt: NOW - 600_000 }), spec: { stuckAfterMs: 0 } });
    expect(stuckJobs(analysisInput({ jobs: [stuck, chatty, off] }))).toEqual([
      { jobId: 3, name: 'j3', run: null, command: 'true', silentMs: 120_000, stuckAfterMs: 60_000, lastOutputAt: NOW - 120_000, lastLine: null, lastLineNote: 'not read' },
    ]);
  });

  it('a job that reports progress is judged by its progress (the monitor\'s flag), not by its silence', () => {
    const progress = { percent: 40, done: 40, total: null, phase: 'fetch', source: 'cli' as const, updatedAt: NOW - 1000, activeMs: 500_000, advancedActiveMs: 380_000, first: { percent: 0, activeMs: 0 }, reports: 9, milestone: { decile: 4, phase: 'fetch' } };
    const quietButAdvancing = makeJob({ id: 6, state: runningState({ startedAt: NOW - 600_000 }), spec: { stuckAfterMs: 60_000 }, output: { lastOutputAt: null }, progress });
    const stalled = makeJob({ id: 7, state: runningState({ startedAt: NOW - 600_000 }), spec: { stuckAfterMs: 60_000 }, output: { lastOutputAt: NOW - 1000 }, progress, flags: [flag('stuck', { data: { stalledMs: 120_000 } })] });
    expect(stuckJobs(analysisInput({ jobs: [quietButAdvancing, stalled] }))).toEqual([expect.objectContaining({ jobId: 7, silentMs: 120_000, progressStalledAt: '40% (fetch)' })]);
  });
});

describe('duplicates', () => {
  it('the same argv in the same directory running twice; another directory is another command', () => {
    const cmd = { kind: 'argv' as const, argv: ['npm', 'run', 'dev'] };
    const jobs = [
      makeJob({ id: 1, name: 'npm', state: runningState(), spec: { command: cmd, cwd: '/app' } }),
      makeJob({ id: 2, name: 'npm-2', state: runningState(), spec: { command: cmd, cwd: '/app' } }),
      makeJob({ id: 3, name: 'npm-3', state: runningState(), spec: { command: cmd, cwd: '/other' } }),
      makeJob({ id: 4, name: 'npm', state: completedState(), spec: { command: cmd, cwd: '/app' } }),
    ];
    expect(duplicates(analysisInput({ jobs }))).toEqual([
      { signature: '["npm","run","dev"]@/app', command: 'npm run dev', jobs: [{ jobId: 1, name: 'npm', run: null }, { jobId: 2, name: 'npm-2', run: null }] },
    ]);
  });

  it('shell scripts differing only in whitespace are the same command', () => {
    const jobs = [1, 2].map((id) => makeJob({ id, name: id === 1 ? 'sleep' : 'sleep-2', state: runningState(), spec: { command: { kind: 'shell', script: id === 1 ? 'sleep 5' : 'sleep  5 ', shell: '/bin/sh' } } }));
    expect(duplicates(analysisInput({ jobs })).map((d) => d.jobs.length)).toEqual([2]);
  });
});

describe('leftovers and zombies over the period', () => {
  it('raised now, or cleared within the period; not cleared before it', () => {
    const since = NOW - 3_600_000;
    const job = makeJob({
      id: 7,
      state: completedState(),
      flags: [{ ...flag('leftovers'), pids: [901, 902] }],
      flagHistory: [
        { ...flag('zombie'), pids: [950], clearedAt: NOW - 60_000 },
        { ...flag('leftovers'), raisedAt: since - 20_000, clearedAt: since - 10_000 },
      ],
    });
    const r = processProblems(analysisInput({ jobs: [job], since }));
    expect(r.leftovers.map((l) => [l.jobId, l.pids, l.clearedAt])).toEqual([[7, [901, 902], null]]);
    expect(r.zombies.map((z) => [z.jobId, z.pids, z.clearedAt])).toEqual([[7, [950], NOW - 60_000]]);
  });
});
