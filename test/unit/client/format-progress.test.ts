// How progress and the ETA read: status's state line and rows, ls's narrow STATE suffix (the
// phase cut), and the two kinds of estimate ("~40s left" from the rate, "about 40s left" from history).

import { describe, expect, it } from 'vitest';
import { summarize } from '../../../shared/job.js';
import { applyReport } from '../../../shared/progress.js';
import { etaText, progressLine, progressRows, progressSuffix } from '../../../client/cli/format-progress.js';
import { renderLs } from '../../../client/cli/ls-table.js';
import { completedState, makeJob, runningState, T0 } from '../../helpers/job-factory.js';

const progress = applyReport(undefined, { done: 134, total: 200, phase: 'URL 2 of 3, the slow mirror' }, 'marker', T0 + 20_000, 20_000).progress;

describe('progress display', () => {
  it('says percent, phase and ETA in one line', () => {
    expect(progressLine(progress, { leftMs: 40_000, basis: 'progress' })).toBe('67% (URL 2 of 3, the slow mirror) ~40s left');
    expect(progressLine(undefined, { leftMs: 40_000, basis: 'history' })).toBe('about 40s left');
    expect(etaText({ leftMs: 400, basis: 'progress' })).toBe('~<1s left');
    expect(etaText({ leftMs: 3 * 60_000, basis: 'progress+history' }, true)).toBe('~3m');
  });

  it('keeps ls narrow: the phase cut, a short ETA, nothing for a job that ended', () => {
    const running = { state: runningState(), progress, eta: { leftMs: 40_000, basis: 'progress' as const } };
    expect(progressSuffix(running)).toBe(' 67% (URL 2 of 3, t…) ~40s');
    expect(progressSuffix({ ...running, state: completedState() })).toBe('');
    const job = makeJob({ state: runningState({ startedAt: T0 }), progress });
    const [, row] = renderLs([summarize(job, T0 + 20_000)], { now: T0 + 20_000, width: 120, tty: false, hiddenFinished: 0, paint: (_c, t) => t });
    expect(row).toMatch(/^1 +j1 +running 67% \(URL 2 of 3, t…\) ~10s /);
  });

  it('status rows say what was reported, when, and what the ETA is based on', () => {
    const rows = progressRows({ state: runningState(), progress, eta: { leftMs: 40_000, basis: 'history' } }, T0 + 25_000);
    expect(rows).toEqual([
      ['progress', '134/200 (67%), phase URL 2 of 3, the slow mirror; last report 5s ago (a marker line), 1 report in this run'],
      ['eta', 'about 40s left (from past runs of this command)'],
    ]);
  });
});
