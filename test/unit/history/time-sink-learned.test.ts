// The time-sink flag from a learned baseline: three ~1 s successful runs of a command in the
// history, then a fourth run of it with no --expect is flagged at 2× the median (medium) and 3×
// (high), saying the expectation was learned; time moved by a fake clock.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../../daemon/history/history-store.js';
import { evaluateConditions } from '../../../daemon/monitor/flags.js';
import { DEFAULT_THRESHOLDS } from '../../../daemon/monitor/thresholds.js';
import { commandSignature } from '../../../shared/history.js';
import { makeJob, runningState } from '../../helpers/job-factory.js';
import { FakeClock } from '../jobs/fake-clock.js';
import { historyRun } from './history-run.js';

let home: string | null = null;
afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = null;
});

describe('time sink from a learned baseline', () => {
  it('flags a task at 2× its median (medium) and 3× (high), not below; --expect wins over it', async () => {
    home = mkdtempSync(join(tmpdir(), 'procd-sink-'));
    const clock = new FakeClock();
    const store = HistoryStore.open(join(home, 'history'), { now: () => clock.now() });
    const command = { kind: 'argv' as const, argv: ['sh', '-c', 'sleep $(cat d)'] };
    const signature = commandSignature(command, '/w');
    for (const d of [900, 1000, 1100]) store.record(historyRun({ signature, durationMs: d }));
    const baseline = store.baseline(signature);
    expect(baseline).toEqual({ signature, runs: 3, medianMs: 1000, p90Ms: 1100 });

    const job = makeJob({ spec: { command, cwd: '/w', expectMs: null, kind: 'task', stuckAfterMs: 0 }, state: runningState({ startedAt: clock.now() }) });
    const sink = () => evaluateConditions(job, { now: clock.now(), sample: null, hotSamples: 0, zombies: [], totalMemoryBytes: 8 << 30, baselineMs: baseline!.medianMs, baseline }, DEFAULT_THRESHOLDS).find((c) => c.kind === 'time_sink');
    clock.advance(1999);
    expect(sink()).toBeUndefined();
    clock.advance(1);
    expect(sink()).toMatchObject({ severity: 'medium', data: { expectedFrom: 'learned', expectedMs: 1000, medianMs: 1000, p90Ms: 1100, baselineRuns: 3, ratio: 2 } });
    expect(sink()!.detail).toMatch(/2\.0× the usual 1(\.0)?s \(learned: median of the last 3 successful runs, p90 1\.1s\)/);
    clock.advance(1000);
    expect(sink()).toMatchObject({ severity: 'high', data: { ratio: 3 } });

    const given = { ...job, spec: { ...job.spec, expectMs: 10_000 } };
    expect(evaluateConditions(given, { now: clock.now(), sample: null, hotSamples: 0, zombies: [], totalMemoryBytes: 8 << 30, baselineMs: 1000, baseline }, DEFAULT_THRESHOLDS).find((c) => c.kind === 'time_sink')).toBeUndefined();
    await store.close();
  });
});
