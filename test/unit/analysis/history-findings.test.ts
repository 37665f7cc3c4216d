// The analysers of finished runs: common errors, port conflicts, and the recommendations the whole report makes.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../daemon/analysis/analyze.js';
import { commonErrors } from '../../../daemon/analysis/common-errors.js';
import { portConflicts } from '../../../daemon/analysis/duplicates.js';
import type { FoundError } from '../../../shared/history.js';
import { makeJob, runningState, T0 } from '../../helpers/job-factory.js';
import { failedRun, makeRun } from '../../helpers/history-runs.js';
import { analysisInput, GIB, NOW } from './input.js';

const inUse = (port: string): FoundError => ({ signature: 'EADDRINUSE', detail: port, line: `Error: listen EADDRINUSE: address already in use :::${port}` });
const SRV = { signature: '["node","server.js"]@/srv', command: 'node server.js', cwd: '/srv' };

describe('commonErrors', () => {
  it('counts each signature and detail, newest runs first, with an example line and the commands', () => {
    const runs = [
      failedRun({ ...SRV, jobId: 1, errors: [inUse('3000')] }),
      failedRun({ ...SRV, jobId: 2, errors: [inUse('3000')] }),
      failedRun({ ...SRV, jobId: 3, run: 2, errors: [inUse('3000')] }),
      failedRun({ jobId: 4, errors: [inUse('8080'), { signature: 'node_exception', detail: 'Error', line: 'Error: listen' }] }),
    ];
    const [first, ...rest] = commonErrors(runs);
    expect(first).toMatchObject({ signature: 'EADDRINUSE', detail: '3000', count: 3, commands: ['node server.js'], example: 'Error: listen EADDRINUSE: address already in use :::3000' });
    expect(first?.runs).toEqual([{ jobId: 3, name: 'j3', run: 2 }, { jobId: 2, name: 'j2', run: 1 }, { jobId: 1, name: 'j1', run: 1 }]);
    expect(rest.map((e) => [e.signature, e.detail, e.count])).toEqual([['EADDRINUSE', '8080', 1], ['node_exception', 'Error', 1]]);
  });
});

describe('portConflicts', () => {
  it('EADDRINUSE while another job of the same command was running (a finished run or a live job); not when it ran before', () => {
    const earlier = makeRun({ ...SRV, jobId: 1, startedAt: NOW - 100_000, durationMs: 1000 });
    const live = makeJob({ id: 2, state: runningState({ startedAt: NOW - 50_000 }), spec: { command: { kind: 'argv', argv: ['node', 'server.js'] }, cwd: '/srv' } });
    const failed = failedRun({ ...SRV, jobId: 3, startedAt: NOW - 10_000, durationMs: 200, errors: [inUse('3000')] });
    const c = portConflicts(analysisInput({ jobs: [live], runs: [earlier, failed], since: NOW - 200_000 }));
    expect(c).toEqual([{ jobId: 3, name: 'j3', run: 1, port: '3000', at: NOW - 10_000, holders: [{ jobId: 2, name: 'j2', run: null, live: true }] }]);
  });
});

describe('portConflicts among finished runs', () => {
  it('a run still running when the failed one started holds; one that ended before, or started after, does not', () => {
    const long = makeRun({ ...SRV, jobId: 1, startedAt: NOW - 500_000, durationMs: 495_000 });
    const ended = makeRun({ ...SRV, jobId: 2, startedAt: NOW - 100_000, durationMs: 1000 });
    const after = makeRun({ ...SRV, jobId: 4, startedAt: NOW - 5_000, durationMs: 1000 });
    const otherDir = makeRun({ jobId: 5, cwd: '/elsewhere', signature: 'x@/elsewhere', startedAt: NOW - 30_000, durationMs: 60_000 });
    const failed = failedRun({ ...SRV, jobId: 3, startedAt: NOW - 10_000, durationMs: 200, errors: [inUse('3000')] });
    const c = portConflicts(analysisInput({ runs: [long, ended, otherDir, failed, after], since: NOW - 600_000 }));
    expect(c.map((x) => [x.jobId, x.holders])).toEqual([[3, [{ jobId: 1, name: 'j1', run: 1, live: false }]]]);
  });
});

describe('overlaps: a command started twice at once within the period', () => {
  it('counts the runs that overlapped another job\'s run of the command; restarts of one job and runs one after another do not count', () => {
    // Unnamed jobs: procd's names for `npm` (`npm`, then `npm-2` while that runs).
    const W = { signature: '["npm","run","dev"]@/w', command: 'npm run dev', cwd: '/w' };
    const runs = [
      makeRun({ ...W, jobId: 1, name: 'npm', startedAt: NOW - 100_000, durationMs: 50_000 }),
      makeRun({ ...W, jobId: 2, name: 'npm-2', startedAt: NOW - 90_000, durationMs: 1000 }),
      makeRun({ ...W, jobId: 3, name: 'npm-2', startedAt: NOW - 60_000, durationMs: 1000 }),
      makeRun({ ...W, jobId: 4, name: 'npm', startedAt: NOW - 40_000, durationMs: 10_000 }),
      makeRun({ ...W, jobId: 4, name: 'npm', run: 2, startedAt: NOW - 35_000, durationMs: 1000 }),
      makeRun({ ...W, jobId: 5, name: 'npm', startedAt: NOW - 20_000, durationMs: 1000 }),
    ];
    const r = analyze(analysisInput({ runs }));
    // Jobs 2 and 3 both ran inside job 1's run: counted once, when job 1's run ended (it overlapped runs that ended before it).
    expect(r.overlaps).toEqual([{ ...W, name: 'npm', times: 1, latest: [{ jobId: 1, name: 'npm', run: 1 }, { jobId: 3, name: 'npm-2', run: 1 }], at: NOW - 60_000 }]);
    expect(r.recommendations.map((x) => [x.priority, x.command, x.evidence.jobIds])).toEqual([['low', 'procd track --name npm --cwd /w -- npm run dev', [1, 3]]]);
  });
});

describe('overlaps are low-priority news', () => {
  it('only the 3 commands it happened to most get a recommendation, each low', () => {
    const runs = [1, 2, 3, 4, 5].flatMap((c) => Array.from({ length: c + 1 }, (_, i) => makeRun({ signature: `["c${c}"]@/`, command: `c${c}`, cwd: '/', jobId: c * 100 + i, name: i ? `c${c}-${i + 1}` : `c${c}`, startedAt: NOW - 100_000 + i * 10, durationMs: 50_000 })));
    const r = analyze(analysisInput({ runs }));
    expect(r.overlaps.map((o) => [o.command, o.times])).toEqual([['c5', 5], ['c4', 4], ['c3', 3], ['c2', 2], ['c1', 1]]);
    expect(r.recommendations.map((x) => [x.priority, x.command.split(' -- ')[1]])).toEqual([['low', 'c5'], ['low', 'c4'], ['low', 'c3']]);
  });
});

describe('one recommendation per command', () => {
  it('EADDRINUSE on three ports nobody of procd held: one `procd cleanup`, saying it stands for two more, with all their jobs', () => {
    const runs = ['3000', '3001', '3002'].flatMap((port, p) => [1, 2].map((i) => failedRun({ jobId: 10 * p + i, signature: `["srv${p}"]@/s${p}`, command: `srv${p}`, cwd: `/s${p}`, errors: [inUse(port)] })));
    const recs = analyze(analysisInput({ runs })).recommendations;
    expect(recs).toHaveLength(1);
    expect(recs[0]).toMatchObject({ priority: 'medium', command: 'procd cleanup', evidence: { jobIds: [22, 21, 12, 11, 2, 1] } });
    expect(recs[0]?.reason).toMatch(/port \d+; kill what finished jobs left behind \(and 2 more like it\)$/);
  });
});

describe('recommendations (the whole report)', () => {
  it('every recommendation names a procd command and has evidence from the same report', () => {
    const jobs = [
      makeJob({ id: 10, state: runningState({ startedAt: NOW - 4000 }), spec: { expectMs: 1000, command: { kind: 'argv', argv: ['build'] } } }),
      makeJob({ id: 11, state: runningState({ startedAt: NOW - 600_000 }), spec: { stuckAfterMs: 60_000, command: { kind: 'argv', argv: ['fetch'] } }, output: { lastOutputAt: NOW - 400_000 } }),
      makeJob({ id: 12, name: 'sleep', state: runningState(), spec: { command: { kind: 'argv', argv: ['sleep', '9'] }, cwd: '/w' } }),
      makeJob({ id: 13, name: 'sleep-2', state: runningState(), spec: { command: { kind: 'argv', argv: ['sleep', '9'] }, cwd: '/w' } }),
      makeJob({ id: 14, state: runningState(), spec: { command: { kind: 'argv', argv: ['train'] } }, resources: { samples: 3, cpuSamples: 3, cpuPeak: 5, cpuAvg: 5, rssPeak: 13 * GIB, rssAvg: 13 * GIB, processesPeak: 1, last: { at: NOW, cpuPercent: 5, rssBytes: 13 * GIB, mainRssBytes: 13 * GIB, processes: 1, threads: 1, fds: 3, states: {} } } }),
    ];
    const runs = [1, 2, 3].map((i) => failedRun({ ...SRV, jobId: 20 + i, errors: [inUse('3000')] }));
    const report = analyze(analysisInput({ jobs, runs }));
    const byCommand = report.recommendations.map((r) => [r.priority, r.command]);
    expect(byCommand).toEqual([
      ['high', 'procd kill 10'],
      ['high', 'procd kill 11'],
      ['high', 'procd kill 14'],
      ['medium', 'procd kill 13'],
      ['medium', 'procd cleanup'],
    ]);
    const ids = new Set([...report.timeSinks, ...report.stuck, ...report.bottlenecks].map((f) => f.jobId).concat(report.duplicates.flatMap((d) => d.jobs.map((j) => j.jobId)), report.commonErrors.flatMap((e) => e.runs.map((r) => r.jobId))));
    for (const r of report.recommendations) {
      expect(r.command).toMatch(/^procd /);
      expect(r.evidence.jobIds.length).toBeGreaterThan(0);
      for (const id of r.evidence.jobIds) expect(ids.has(id), `job ${id} of "${r.reason}" is in the report`).toBe(true);
    }
    expect(report.headline).toMatchObject({ liveJobs: 5, runs: 3, failures: 3, timeSinks: 1, stuck: 1, bottlenecks: 1, duplicates: 1, errors: 3, recommendations: { high: 3, medium: 2, low: 0 } });
  });

  it('a slowing command gets `--expect` at its p95; a restarting one with EADDRINUSE gets `--restart-delay`; nothing found: nothing recommended', () => {
    // One after another (170 s apart): never two at once.
    const slowing = Array.from({ length: 20 }, (_, i) => makeRun({ signature: '["make"]@/src', command: 'make', cwd: '/src', startedAt: T0 + i * 170_000, durationMs: 60_000 * (1 + 0.1 * i) }));
    const restarts = [2, 3].map((run) => failedRun({ ...SRV, jobId: 40, run, restarts: run - 1, errors: [inUse('3000')] }));
    const report = analyze(analysisInput({ runs: [...slowing, ...restarts] }));
    expect(report.recommendations.map((r) => r.command)).toEqual(['procd track --restart-delay 5s --cwd /srv -- node server.js', 'procd track --expect 3m --cwd /src -- make']);
    // A third failed restart makes it a crash loop: one recommendation to back off, not two.
    const loop = [...restarts, failedRun({ ...SRV, jobId: 40, run: 4, restarts: 3, errors: [inUse('3000')] })];
    expect(analyze(analysisInput({ runs: loop })).recommendations.map((r) => [r.priority, r.command])).toEqual([['high', 'procd track --restart on-failure --restart-delay 10s --cwd /srv -- node server.js']]);
    expect(analyze(analysisInput({ runs: [makeRun(), makeRun()] })).recommendations).toEqual([]);
  });

  it('out of memory twice: cap it at 1.5× its peak with --max-memory; alternating pass/fail: retry it on failure', () => {
    const oom = { signature: 'oom', detail: 'node heap', line: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' };
    const heavy = [1, 2].map((i) => failedRun({ signature: '["node","build.js"]@/b', command: 'node build.js', cwd: '/b', jobId: 60 + i, rssPeak: 1024 ** 3, errors: [oom] }));
    const flaky = Array.from({ length: 6 }, (_, i) => (i % 2 ? failedRun : makeRun)({ signature: '["npm","test"]@/t', command: 'npm test', cwd: '/t', jobId: 70 + i }));
    const recs = analyze(analysisInput({ runs: [...heavy, ...flaky] })).recommendations;
    expect(recs.map((r) => [r.priority, r.command])).toEqual([
      ['medium', 'procd track --max-memory 1536m --cwd /b -- node build.js'],
      ['low', 'procd track --restart on-failure --max-restarts 2 --cwd /t -- npm test'],
    ]);
    expect(recs[0]?.evidence).toEqual({ jobIds: [62, 61], figures: { count: 2, latestJob: 62, rssPeak: 1024 ** 3 } });
  });

  it('a CPU hog: stop it when queued jobs wait for its slot, lower its priority when others slowed, a low note when it holds up nobody', () => {
    const sample = (cpu: number, avg = 50) => ({ samples: 9, cpuSamples: 9, cpuPeak: cpu, cpuAvg: avg, rssPeak: GIB, rssAvg: GIB, processesPeak: 1, last: { at: NOW, cpuPercent: cpu, rssBytes: GIB, mainRssBytes: GIB, processes: 1, threads: 1, fds: 3, states: {} } });
    const hog = (id: number, group: string) => makeJob({ id, state: runningState(), spec: { group, command: { kind: 'argv', argv: [`hog${id}`] } }, resources: sample(190) });
    const waiter = makeJob({ id: 2, spec: { group: 'g' }, state: { kind: 'queued', queuedAt: NOW, reason: { kind: 'queue', detail: 'waits' } }, standing: { waitsFor: 'slot', detail: 'group g is full (1 of 1)', position: 1 } });
    const slot = analyze(analysisInput({ jobs: [hog(1, 'g'), waiter] })).recommendations;
    expect(slot.map((r) => [r.priority, r.command, r.evidence.jobIds])).toEqual([['high', 'procd kill 1', [1, 2]]]);
    const slowed = makeJob({ id: 4, state: runningState(), spec: { command: { kind: 'argv', argv: ['victim'] } }, resources: sample(5, 60) });
    expect(analyze(analysisInput({ jobs: [hog(3, 'other'), slowed] })).recommendations.map((r) => [r.priority, r.command])).toEqual([['high', 'procd priority 3 low']]);
    expect(analyze(analysisInput({ jobs: [hog(5, 'other')] })).recommendations.map((r) => [r.priority, r.command])).toEqual([['low', 'procd priority 5 low']]);
  });

  it('a shell command is given back with --shell', () => {
    const slowing = Array.from({ length: 10 }, (_, i) => makeRun({ signature: 'sh:make && make test@/src', command: 'make && make test', cwd: '/src', startedAt: T0 + i * 30_000, durationMs: 10_000 * (1 + 0.2 * i) }));
    expect(analyze(analysisInput({ runs: slowing })).recommendations.map((r) => r.command)).toEqual(["procd track --expect 28s --cwd /src --shell 'make && make test'"]);
  });
});

describe('the report stays small', () => {
  it('300 failing commands: 200 kept most-run first, the rest counted as omitted; every recommendation\'s jobs are in the report', () => {
    const runs = Array.from({ length: 300 }, (_, c) => [0, 1, 2].slice(0, c < 10 ? 3 : 2).map((i) => failedRun({ signature: `["cmd${c}"]@/`, command: `cmd${c}`, cwd: '/', startedAt: T0 + (c * 3 + i) * 10_000, errors: [{ signature: 'ENOENT', detail: `/f${c}`, line: `open /f${c}` }] }))).flat();
    const r = analyze(analysisInput({ runs }));
    expect(r.patterns.bySignature).toHaveLength(200);
    expect(r.patterns.bySignature.slice(0, 10).every((p) => p.runs === 3)).toBe(true);
    expect(r.omitted).toMatchObject({ bySignature: 100, commonErrors: 200, recommendations: 50 });
    expect(r.headline).toMatchObject({ runs: 610, failures: 610, errors: 610 });
    expect(r.recommendations).toHaveLength(50);
    const inReport = new Set(r.commonErrors.flatMap((e) => e.runs.map((x) => x.jobId)));
    for (const rec of r.recommendations) for (const id of rec.evidence.jobIds) expect(inReport.has(id)).toBe(true);
    expect(JSON.stringify(r).length).toBeLessThan(1 << 20);
  });
});
