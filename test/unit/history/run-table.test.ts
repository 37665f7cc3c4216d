// The store's runs read in place (runTableSince: a RunTable over its columns), what `analyze` reads
// instead of building a HistoryRun per run: the same runs and fields as runsSince, the same report,
// and the analyze handler builds no run object.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { analyze } from '../../../daemon/analysis/analyze.js';
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
        name: `job${i % 5}`,
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
        errors: failed ? [{ signature: i % 2 ? 'EADDRINUSE' : 'ENOENT', detail: i % 2 ? port : '/src/.env', line: `error ${i}` }] : [],
      }),
    );
  }
}

const FIELDS = ['jobId', 'run', 'name', 'signature', 'command', 'cwd', 'kind', 'startedAt', 'endedAt', 'durationMs', 'state', 'exitCode', 'signal', 'restarts', 'rssPeak', 'errors'] as const;

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
