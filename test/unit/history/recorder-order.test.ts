// The recorder appends runs in the order they ended, even when an earlier run's stderr tail waits
// for its shim's `closed` file and a later run's is ready at once: the analysers (overlaps,
// flakiness) and the age bound read the history in end order.

import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../../daemon/history/history-store.js';
import { HistoryRecorder } from '../../../daemon/history/recorder.js';
import type { JobTable, RunEnded } from '../../../daemon/jobs/job-table.js';
import type { HistoryRun } from '../../../shared/history.js';
import { completedState, makeJob } from '../../helpers/job-factory.js';
import { silentLogger } from '../../helpers/stand-ins.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function runDir(stderr: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'procd-rec-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'out', `stderr.${'0'.repeat(16)}`), stderr);
  return dir;
}

describe('HistoryRecorder', () => {
  it('appends runs in the order they ended, not the order their tails were read', async () => {
    const table = new EventEmitter();
    const recorded: Omit<HistoryRun, 'seq'>[] = [];
    const store = { record: (run: Omit<HistoryRun, 'seq'>) => void recorded.push(run) } as unknown as HistoryStore;
    const recorder = new HistoryRecorder(table as unknown as JobTable, store, silentLogger);
    const slow = runDir('slow\n'); // its shim has not written `closed` yet
    const fast = runDir('fast\n');
    writeFileSync(join(fast, 'closed'), '{"at":1}\n');
    const end = (id: number, dir: string): RunEnded => {
      const ended = completedState({ pid: 100 + id });
      return { job: makeJob({ id, dir, state: ended }), ended, final: ended };
    };
    table.emit('runEnded', end(1, slow));
    table.emit('runEnded', end(2, fast));
    setTimeout(() => writeFileSync(join(slow, 'closed'), '{"at":1}\n'), 300);
    await recorder.settle();
    expect(recorded.map((r) => [r.jobId, r.stderrTail])).toEqual([
      [1, ['slow']],
      [2, ['fast']],
    ]);
  });
});
