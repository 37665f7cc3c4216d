// What the user meant: jobs given different names run side by side on purpose (no "start it under
// a name", nothing to kill), a suggested name is never another command's; a port conflict blames
// only a job that can hold the port; a recommendation merges only with ones of its own kind.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../daemon/analysis/analyze.js';
import { duplicates, portConflicts } from '../../../daemon/analysis/duplicates.js';
import type { FoundError } from '../../../shared/history.js';
import type { Job } from '../../../shared/job.js';
import { makeJob, runningState } from '../../helpers/job-factory.js';
import { failedRun, makeRun } from '../../helpers/history-runs.js';
import { analysisInput, NOW } from './input.js';

const SLEEP = { kind: 'argv' as const, argv: ['sleep', '300'] };
const live = (id: number, name: string, over: Partial<Job> = {}): Job => makeJob({ id, name, state: runningState({ startedAt: NOW - 60_000 }), spec: { command: SLEEP, cwd: '/tmp/tu' }, ...over });
const S3 = { signature: '["sleep","3"]@/tmp/tu', command: 'sleep 3', cwd: '/tmp/tu' };

describe('live jobs of one command the user named differently are not duplicates', () => {
  it('own9, own9b and own9c at once: no duplicate, no `procd kill`', () => {
    const report = analyze(analysisInput({ jobs: [live(39, 'own9'), live(40, 'own9b'), live(41, 'own9c')] }));
    expect(report.duplicates).toEqual([]);
    expect(report.recommendations).toEqual([]);
  });

  it('unnamed ones beside them are: the oldest named job is kept, only unnamed ones are to stop', () => {
    const jobs = [live(38, 'sleep'), live(39, 'web'), live(40, 'api'), live(41, 'sleep-2')];
    expect(duplicates(analysisInput({ jobs })).map((d) => d.jobs.map((j) => j.jobId))).toEqual([[39, 38, 41]]);
    expect(analyze(analysisInput({ jobs })).recommendations.map((r) => [r.command, r.reason])).toEqual([['procd kill 38 41', '3 jobs run `sleep 300` at once in the same directory; keep job 39']]);
    // Two unnamed: the older is kept, as before.
    expect(analyze(analysisInput({ jobs: [live(1, 'sleep'), live(2, 'sleep-2')] })).recommendations.map((r) => r.command)).toEqual(['procd kill 2']);
  });
});

describe('runs of one command started at once under names the user gave are not overlaps', () => {
  it('jobs 4 (s3a) and 5 (s3b) at once: no overlap, no "start it under a name"', () => {
    const runs = [makeRun({ ...S3, jobId: 4, name: 's3a', startedAt: NOW - 100_000, durationMs: 3000 }), makeRun({ ...S3, jobId: 5, name: 's3b', startedAt: NOW - 99_000, durationMs: 3000 })];
    const report = analyze(analysisInput({ runs }));
    expect(report.overlaps).toEqual([]);
    expect(report.recommendations).toEqual([]);
  });

  it('an unnamed run beside a named one is; the name suggested is its default, not the name of a later run or of another command', () => {
    const runs = [
      makeRun({ ...S3, jobId: 4, name: 'own', startedAt: NOW - 100_000, durationMs: 3000 }),
      makeRun({ ...S3, jobId: 5, name: 'sleep', startedAt: NOW - 99_000, durationMs: 3000 }),
      // A later run of it the user named s3, and another command that had the name `sleep`.
      makeRun({ ...S3, jobId: 6, name: 's3', startedAt: NOW - 50_000, durationMs: 3000 }),
      makeRun({ signature: '["sleep","9"]@/elsewhere', command: 'sleep 9', cwd: '/elsewhere', jobId: 7, name: 'sleep', startedAt: NOW - 40_000 }),
    ];
    const report = analyze(analysisInput({ runs }));
    expect(report.overlaps.map((o) => [o.times, o.latest.map((j) => j.jobId), o.name])).toEqual([[1, [4, 5], 'sleep-tu']]);
    expect(report.recommendations.map((r) => r.command)).toEqual(['procd track --name sleep-tu --cwd /tmp/tu -- sleep 3']);
    // Nobody else had `sleep`: that is the name.
    expect(analyze(analysisInput({ runs: runs.slice(0, 3) })).overlaps.map((o) => o.name)).toEqual(['sleep']);
    // Two commands started twice, both named `sleep` by procd: each gets a name of its own.
    const s9 = { signature: '["sleep","9"]@/tmp/tu', command: 'sleep 9', cwd: '/tmp/tu' };
    const twice = [...runs.slice(0, 2), makeRun({ ...s9, jobId: 8, name: 'sleep', startedAt: NOW - 30_000, durationMs: 9000 }), makeRun({ ...s9, jobId: 9, name: 'sleep-2', startedAt: NOW - 29_000, durationMs: 9000 })];
    const names = analyze(analysisInput({ runs: twice })).overlaps.map((o) => o.name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
  });
});

const inUse = (port: string): FoundError => ({ signature: 'EADDRINUSE', detail: port, line: `Error: listen EADDRINUSE: address already in use :::${port}` });
const listensOn = (port: number) => [{ port, protocol: 'tcp' as const, address: '0.0.0.0', pid: 4242 }];

describe('an EADDRINUSE run blames only jobs that can hold its port', () => {
  const http = (ports: number) => makeJob({ id: 1, name: 'web', state: runningState({ startedAt: NOW - 600_000 }), spec: { command: { kind: 'argv', argv: ['python3', '-m', 'http.server', String(ports)] }, cwd: '/tmp/tu' }, ports: listensOn(ports) });
  const failed = failedRun({ signature: '["node","app.js"]@/tmp/tu', command: 'node app.js', cwd: '/tmp/tu', jobId: 25, startedAt: NOW - 10_000, durationMs: 200, errors: [inUse('3000')] });
  // A run of another job in the directory, running then, finished now: its ports are not known.
  const finished = makeRun({ signature: '["make"]@/tmp/tu', command: 'make', cwd: '/tmp/tu', jobId: 13, startedAt: NOW - 20_000, durationMs: 15_000 });

  it('a live job of the same directory known to listen only on 18765 did not hold 3000: not a holder, no `procd kill`', () => {
    const input = analysisInput({ jobs: [http(18765)], runs: [finished, failed], since: NOW - 700_000 });
    expect(portConflicts(input).map((c) => [c.jobId, c.holders.map((h) => [h.jobId, h.live])])).toEqual([[25, [[13, false]]]]);
    expect(analyze(input).recommendations.filter((r) => r.command.startsWith('procd kill'))).toEqual([]);
  });

  it('one listening on 3000 holds it; one whose ports are not known is kept as a suspect, as before', () => {
    expect(portConflicts(analysisInput({ jobs: [http(3000)], runs: [failed], since: NOW - 700_000 })).map((c) => c.holders.map((h) => h.jobId))).toEqual([[1]]);
    const unknown = makeJob({ id: 2, name: 'dev', state: runningState({ startedAt: NOW - 60_000 }), spec: { command: { kind: 'argv', argv: ['npm', 'run', 'dev'] }, cwd: '/tmp/tu' } });
    expect(portConflicts(analysisInput({ jobs: [unknown], runs: [failed], since: NOW - 700_000 })).map((c) => c.holders.map((h) => h.jobId))).toEqual([[2]]);
  });

  it('a job that is silent and holds the port gets two recommendations, each with its own reason, not one "and 1 more like it"', () => {
    const silentHolder = makeJob({ id: 1, name: 'web', state: runningState({ startedAt: NOW - 600_000 }), spec: { stuckAfterMs: 60_000, cwd: '/srv' }, output: { lastOutputAt: NOW - 400_000 }, ports: listensOn(3000) });
    const recs = analyze(analysisInput({ jobs: [silentHolder], runs: [failed], since: NOW - 700_000 })).recommendations;
    expect(recs.map((r) => r.command)).toEqual(['procd kill 1', 'procd kill 1']);
    expect(recs.map((r) => r.reason)).toEqual([expect.stringMatching(/^job 1 \(web\) has written nothing for/), expect.stringMatching(/^job 25 \(j25\) failed with EADDRINUSE on port 3000/)]);
    for (const r of recs) expect(r.reason).not.toMatch(/more like it/);
  });
});
