// The store's runs read in place (runTableSince: a RunTable over its columns), what `analyze` reads
// instead of building a HistoryRun per run: the same runs and fields as runsSince, the same report,
// and the analyze handler builds no run object.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { analyze } from '../../../daemon/analysis/analyze.js';
import { trendsOf } from '../../../daemon/analysis/trends.js';
import { RunColumns } from '../../../daemon/history/columns.js';
import { HistoryStore } from '../../../daemon/history/history-store.js';
import type { RunTable } from '../../../daemon/history/reader.js';
import { DEFAULT_THRESHOLDS } from '../../../daemon/monitor/thresholds.js';
import type { HistoryRun } from '../../../shared/history.js';
import { historyRun } from './history-run.js';

let home: string;
let store: HistoryStore;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'procd-run-table-'));
  store = HistoryStore.open(join(home, 'history'), { now: () => 10_000_000 });
});
afterEach(async () => {
  await store.close();
  rmSync(home, { recursive: true, force: true });
});

const STATES: HistoryRun['state'][] = ['completed', 'completed', 'failed', 'killed', 'timed_out', 'lost', 'completed'];
const SIGS = [
  { signature: '["make"]@/src', command: 'make', cwd: '/src' },
  { signature: '["npm","start"]@/web', command: 'npm start', cwd: '/web' },
  { signature: 'sh:make && make test@/src', command: 'make && make test', cwd: '/src' },
];
/** procd's names for them (unnamed jobs: the analysis takes names the user gave as jobs meant to run side by side). */
const DEFAULT_NAMES = ['make', 'npm', 'make'];

/** A varied history: every state, null and set exit codes, signals and peaks, errors with ports, restarts, overlaps, and ends slightly out of order (as histories written before runs were appended by end are). */
function recordVaried(n: number): void {
  for (let i = 0; i < n; i++) {
    const state = STATES[i % STATES.length]!;
    const sig = SIGS[i % SIGS.length]!;
    const durationMs = 500 + ((i * 7919) % 4000) + (i % 11 === 0 ? 20_000 : 0);
    const endedAt = 2_000_000 + i * 1000 + (i % 9 === 4 ? -2500 : 0);
    const port = String(3000 + (i % 2));
    const failed = state === 'failed' || state === 'timed_out';
    store.record(
      historyRun({
        jobId: 100 + Math.floor(i / 2),
        run: 1 + (i % 2),
        name: `${DEFAULT_NAMES[i % SIGS.length]}${i % 5 ? `-${(i % 5) + 1}` : ''}`,
        ...sig,
        kind: i % 4 === 0 ? 'service' : 'task',
        startedAt: endedAt - durationMs,
        endedAt,
        durationMs,
        state,
        exitCode: state === 'completed' ? 0 : failed ? 1 + (i % 2) : null,
        signal: state === 'killed' ? 'SIGTERM' : null,
        outcome: state === 'killed' ? 'signal' : 'exit',
        restarts: i % 2,
        rssPeak: i % 3 ? (i + 1) << 20 : null,
        cpuAvg: i % 4 ? (i % 100) + 0.5 : null,
        rssAvg: i % 5 ? (i + 1) << 19 : null,
        flags: i % 6 === 0 ? ['time_sink', 'stuck'] : i % 6 === 3 ? ['stuck'] : [],
        errors: failed ? [{ signature: i % 2 ? 'EADDRINUSE' : 'ENOENT', detail: i % 2 ? port : '/src/.env', line: `error ${i}` }] : [],
      }),
    );
  }
}

const FIELDS = ['jobId', 'run', 'name', 'signature', 'command', 'cwd', 'kind', 'startedAt', 'endedAt', 'durationMs', 'state', 'exitCode', 'signal', 'restarts', 'rssPeak', 'cpuAvg', 'rssAvg', 'flags', 'errors'] as const;

function rowsOf(t: RunTable): Record<string, unknown>[] {
  return Array.from({ length: t.length }, (_, i) => Object.fromEntries(FIELDS.map((f) => [f, t[f](i)])));
}

const input = (runs: RunTable | readonly HistoryRun[], since: number) => ({ now: 2_200_000, since, jobs: [], runs, baseline: (sig: string) => store.baseline(sig), thresholds: DEFAULT_THRESHOLDS, totalMemoryBytes: 16 * 1024 ** 3 });

describe('HistoryStore.runTableSince', () => {
  it('reads the same runs, in the same order and field by field, as runsSince (also with ends out of order around `since`)', () => {
    recordVaried(60);
    for (const since of [0, 2_000_000, 2_020_500, 2_030_000, 2_059_000, 9_000_000]) {
      const runs = store.runsSince(since);
      expect(rowsOf(store.runTableSince(since)), `since ${since}`).toEqual(runs.map((r) => Object.fromEntries(FIELDS.map((f) => [f, r[f]]))));
    }
    // At 2,020,500 a run that ended before it sits among later ones: the table lists only the rows that qualify.
    const seqs = store.runsSince(2_020_500).map((r) => r.seq);
    expect(seqs.at(-1)! - seqs[0]! + 1).toBeGreaterThan(seqs.length);
  });

  it('gives analyze the same report as the runs it would have built', () => {
    recordVaried(120);
    for (const since of [0, 2_040_500]) {
      const fromTable = analyze(input(store.runTableSince(since), since));
      expect(fromTable).toEqual(analyze(input(store.runsSince(since), since)));
      expect(fromTable.headline.runs).toBeGreaterThan(0);
    }
    const all = analyze(input(store.runTableSince(0), 0));
    // The history exercises what the table is read for.
    expect(all.commonErrors.length).toBeGreaterThan(1);
    expect(all.overlaps.length).toBeGreaterThan(0);
    expect(all.timeSinks.length).toBeGreaterThan(0);
    expect(all.recommendations.length).toBeGreaterThan(0);
  });

  it('gives trends the same series as the runs it would have built, and the trends handler builds no HistoryRun', async () => {
    recordVaried(120);
    const series = (runs: RunTable | readonly HistoryRun[]) => trendsOf({ now: 2_200_000, since: 1_900_000, bucketMs: 20_000, runs, jobs: [] });
    const fromTable = series(store.runTableSince(1_900_000));
    expect(fromTable).toEqual(series(store.runsSince(1_900_000)));
    // The history exercises what trends read: failures, CPU and memory averages, time sinks and stuck runs, restarts.
    const sum = (k: 'failures' | 'timeSinks' | 'stuck' | 'restarts') => fromTable.buckets.reduce((n, b) => n + b[k], 0);
    expect([sum('failures'), sum('timeSinks'), sum('stuck'), sum('restarts')].every((n) => n > 0)).toBe(true);
    expect(fromTable.buckets.some((b) => b.avgCpuPercent !== null && b.avgRssBytes !== null)).toBe(true);

    const { trends: handler } = await import('../../../daemon/handlers/trends.js');
    const built = vi.spyOn(RunColumns.prototype, 'materialise');
    try {
      const ctx = { history: store, table: { all: () => [][Symbol.iterator]() } };
      const result = handler(ctx as unknown as Parameters<typeof handler>[0], { sinceMs: Date.now(), bucketMs: 30 * 86_400_000 });
      expect(result.buckets.reduce((n, b) => n + b.ended, 0)).toBe(120);
      expect(built).not.toHaveBeenCalled();
    } finally {
      built.mockRestore();
    }
  });

  it('is read by the analyze handler, which builds no HistoryRun', async () => {
    recordVaried(30);
    const { analyze: handler } = await import('../../../daemon/handlers/analyze.js');
    const built = vi.spyOn(RunColumns.prototype, 'materialise');
    try {
      const ctx = { history: store, table: { all: () => [][Symbol.iterator]() }, monitor: { thresholds: DEFAULT_THRESHOLDS } };
      const report = await handler(ctx as unknown as Parameters<typeof handler>[0], { sinceMs: Date.now() }, {} as Parameters<typeof handler>[2]);
      expect(report.headline.runs).toBe(30);
      expect(built).not.toHaveBeenCalled();
    } finally {
      built.mockRestore();
    }
  });
});
