// Only the last runs keep their output: which runs go, and removing them for real (run 1's
// directory is the job's own and keeps the later runs' directories).

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../shared/restart.js';
import { removeRunOutput, runsToPrune } from '../../../daemon/jobs/run-output-prune.js';

let root = '';
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

function record(run: number, dir: string, over: Partial<RunRecord> = {}): RunRecord {
  return { run, state: 'failed', outcome: 'exit', outcomeDetail: null, exitCode: 1, signal: null, startedAt: run, endedAt: run, durationMs: 0, pid: 100 + run, dir, then: 'restart', ...over };
}

describe('earlier runs’ output', () => {
  it('keeps the newest runs (the current one counts) and never prunes a run twice', () => {
    const earlier = [1, 2, 3, 4].map((n) => record(n, `/j/${n}`));
    const job = { runs: { current: 5, restarts: 4, earlier, history: { restartTimes: [], quickFailures: 0 } } };
    expect(runsToPrune(job, 3).map((r) => r.run)).toEqual([1, 2]);
    expect(runsToPrune(job, 5)).toEqual([]);
    earlier[0] = { ...earlier[0]!, outputRemoved: true };
    expect(runsToPrune(job, 3).map((r) => r.run)).toEqual([2]);
    expect(runsToPrune({}, 1)).toEqual([]);
  });

  it('removes a later run’s directory whole, and only run 1’s own files from the job directory', async () => {
    root = mkdtempSync(join(tmpdir(), 'procd-prune-'));
    mkdirSync(join(root, 'out'));
    writeFileSync(join(root, 'out', 'stdout.0000000000000000'), 'run 1\n');
    writeFileSync(join(root, 'exit'), '1');
    // The whole job's timeline lives in its own directory too, and is not run 1's to lose.
    writeFileSync(join(root, 'timeline.jsonl'), '{}\n');
    for (const n of [2, 3]) {
      mkdirSync(join(root, `run-${n}`, 'out'), { recursive: true });
      writeFileSync(join(root, `run-${n}`, 'exit'), '1');
    }
    await removeRunOutput(record(1, root));
    expect(readdirSync(root).sort()).toEqual(['run-2', 'run-3', 'timeline.jsonl']);
    await removeRunOutput(record(2, join(root, 'run-2')));
    expect(readdirSync(root).sort()).toEqual(['run-3', 'timeline.jsonl']);
    expect(existsSync(join(root, 'run-3', 'exit'))).toBe(true);
  });
});
