// The history in words: `status` says what a command usually takes ("usually 42s (p90 51s)"), and
// `procd history` gives one row per run with how it ended and its last stderr line.

import { describe, expect, it } from 'vitest';
import { printJob } from '../../../client/cli/commands/status.js';
import { HISTORY_HEADERS, historyRow } from '../../../client/cli/format-history.js';
import type { Output } from '../../../client/cli/output.js';
import { viewOf } from '../../../shared/job.js';
import type { HistoryRun } from '../../../shared/history.js';
import { makeJob, T0 } from '../../helpers/job-factory.js';

function printed(baseline?: { signature: string; runs: number; medianMs: number; p90Ms: number }): string {
  let text = '';
  const out: Output = { json: false, color: false, width: 160, out: (t) => void (text += `${t}\n`), err: () => undefined, printJson: () => undefined };
  printJob(out, { ...viewOf(makeJob()), ...(baseline ? { baseline } : {}) }, false, T0);
  return text;
}

describe('history display', () => {
  it('status shows the learned baseline, and nothing without one', () => {
    expect(printed({ signature: 's', runs: 20, medianMs: 42_000, p90Ms: 51_000 })).toMatch(/^usually\s+42(\.0)?s \(p90 51(\.0)?s\), learned from 20 successful runs$/m);
    expect(printed()).not.toMatch(/usually/);
  });

  it('a history row says when, which job and run, how it ended, its figures, flags and last stderr line', () => {
    const run: HistoryRun = {
      seq: 1, jobId: 7, run: 2, name: 'api', signature: 's', command: 'node api.js', cwd: '/', tags: [], group: 'default', kind: 'task',
      startedAt: T0, endedAt: T0 + 1500, durationMs: 1500, state: 'killed', outcome: 'signal', outcomeDetail: null, exitCode: 137, signal: 'SIGKILL',
      restarts: 1, cpuPeak: 93.4, cpuAvg: 40, rssPeak: 3 << 20, rssAvg: 1 << 20, flags: ['stuck'], violations: ['memory'], readyAfterMs: null,
      stderrTail: ['first', 'Error:\tboom'], errors: [],
    };
    const row = historyRow(run, T0 + 61_500);
    expect(Object.fromEntries(HISTORY_HEADERS.map((h, i) => [h, row[i]]))).toEqual({
      ENDED: '1m ago', JOB: '7 api', RUN: '2', STATE: 'killed', EXIT: 'SIGKILL(137)', TIME: '1.5s', CPU: '93%', MEM: '3.0MiB', FLAGS: 'stuck,over:memory', 'LAST STDERR LINE': 'Error:\\tboom',
    });
    expect(historyRow({ ...run, state: 'failed', outcome: 'restarts_exhausted', signal: null, exitCode: 1, flags: [], violations: [], stderrTail: [] }, T0)[3]).toBe('failed/restarts_exhausted');
  });
});
