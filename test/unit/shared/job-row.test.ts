// A row (method `rows`, what `procd ls` asks for) holds only what the table reads: the table drawn
// from rows is the table drawn from the full summaries, for every kind of job the table shows,
// while the row leaves the rest out (output figures, flag history, directories, settings, all
// but the last earlier run).

import { describe, expect, it } from 'vitest';
import { renderLs, type LsLayout } from '../../../client/cli/ls-table.js';
import { rowOf } from '../../../shared/job-row.js';
import { summarize, type Job } from '../../../shared/job.js';
import { defaultRestartSpec, type RunRecord } from '../../../shared/restart.js';
import { completedState, failedState, killedState, makeJob, queuedState, runningState, T0 } from '../../helpers/job-factory.js';

const NOW = T0 + 10 * 60_000;
const record = (run: number): RunRecord => ({ run, state: 'failed', outcome: 'exit', outcomeDetail: null, exitCode: 3, signal: null, startedAt: T0 + run, endedAt: T0 + run + 35, durationMs: 35, pid: 100 + run, dir: `/j/1/run-${run}`, then: 'restart' });
const flag = { kind: 'stuck' as const, severity: 'high' as const, raisedAt: T0, detail: 'no CPU, no output for 5m', pids: [], data: {} };

function jobs(): Job[] {
  return [
    makeJob({ id: 1, name: 'web', description: 'the site', tags: ['a', 'b'], flags: [flag], flagHistory: [{ ...flag, clearedAt: T0 + 5 }], state: runningState({ startedAt: NOW - 65_000, pid: 41 }), owner: { name: 'agent-7', pid: 9, parentName: 'bash' }, ports: [{ port: 3000, protocol: 'tcp', address: '127.0.0.1', pid: 41 }] }),
    makeJob({ id: 2, name: 'build', state: completedState({ endedAt: NOW - 3 * 60_000 }), owner: { name: 'me', pid: 8, parentName: 'zsh' } }),
    makeJob({ id: 3, name: 'killed', state: killedState({ endedAt: NOW - 60_000 }) }),
    makeJob({ id: 4, name: 'failed', state: failedState({ endedAt: NOW - 60_000 }), spec: { kind: 'service', group: 'builds', priority: 5 } }),
    makeJob({
      id: 5,
      name: 'restarting',
      spec: { restart: { ...defaultRestartSpec('on-failure'), delayMs: 300 } },
      state: queuedState({ queuedAt: NOW - 1000, reason: { kind: 'restart', at: NOW + 3200, detail: 'restart 3', delayMs: 4200, run: 4 } }),
      runs: { current: 4, restarts: 3, earlier: [record(1), record(2), record(3)], history: { restartTimes: [], quickFailures: 0 } },
    }),
    makeJob({ id: 6, name: 'waits', spec: { after: [{ job: 1, ref: 'web', condition: 'completed' }] }, state: queuedState({ queuedAt: NOW - 5000, reason: { kind: 'queue', detail: 'after web' } }), standing: { waitsFor: 'dependencies', detail: 'after web', position: 0 } }),
  ];
}

describe('rowOf', () => {
  const summaries = jobs().map((j) => summarize(j, NOW));
  const rows = summaries.map(rowOf);

  it('draws the same table as the full summaries: plain, --wide, --tree, on a terminal', () => {
    for (const over of [{}, { wide: true }, { tree: true }, { tty: true, width: 200 }] satisfies Partial<LsLayout>[]) {
      const layout: LsLayout = { now: NOW, width: 120, tty: false, hiddenFinished: 2, paint: (c, t) => `<${c}>${t}`, ...over };
      expect(renderLs(rows, layout)).toEqual(renderLs(summaries, layout));
    }
  });

  it('leaves out what the table does not read, and keeps only the last earlier run', () => {
    const row = rows[0]! as Record<string, unknown>;
    for (const gone of ['description', 'tags', 'createdAt', 'flagHistory', 'output', 'dir', 'cgroup', 'violations']) expect(row, gone).not.toHaveProperty(gone);
    expect(Object.keys(rows[0]!.spec).sort()).toEqual(['command', 'kind']);
    expect(rows[4]!.runs?.earlier.map((r) => r.run)).toEqual([3]);
    expect(rows[4]!.runs?.restarts).toBe(3);
    expect(Object.keys(rows[3]!.spec).sort()).toEqual(['command', 'group', 'kind', 'priority']);
    // Fewer bytes than the same jobs' summaries (these small fixtures: ~half; a real daemon's 100 jobs: ~a third).
    expect(JSON.stringify(rows).length).toBeLessThan(JSON.stringify(summaries).length * 0.6);
  });
});
