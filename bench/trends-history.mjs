#!/usr/bin/env node
// `trends` over bench/history.mjs's synthetic month of 100,000 runs, in-process: the series built
// from the store's columns in place (runTableSince, what the handler reads) against the same series
// from materialised runs (runsSince, what it read before), alternating, medians; the two results
// must be identical.
// Usage: npm run build && node bench/trends-history.mjs [--runs N] [--calls C]

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const RUNS = Number(opt('--runs', 100_000));
const CALLS = Number(opt('--calls', 15));

const { HistoryStore } = await import(join(REPO, 'dist/daemon/history/history-store.js'));
const { trendsOf } = await import(join(REPO, 'dist/daemon/analysis/trends.js'));
const root = mkdtempSync(join(tmpdir(), 'procd-bench-trends-'));
try {
  execFileSync(process.execPath, [join(REPO, 'bench/history.mjs'), '--write', join(root, 'history'), '--runs', String(RUNS)], { stdio: 'ignore' });
  const store = HistoryStore.open(join(root, 'history'), {});
  const now = Date.now();
  const since = now - 30 * 86_400_000;
  const series = (runs) => trendsOf({ now, since, bucketMs: 3_600_000, runs, jobs: [] });
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const time = (f) => {
    const t0 = performance.now();
    const r = f();
    return [performance.now() - t0, r];
  };
  const table = [];
  const objects = [];
  for (let i = 0; i < CALLS; i++) {
    const [a, fromTable] = time(() => series(store.runTableSince(since)));
    const [b, fromObjects] = time(() => series(store.runsSince(since)));
    if (JSON.stringify(fromTable) !== JSON.stringify(fromObjects)) throw new Error('the two series differ');
    table.push(a);
    objects.push(b);
  }
  console.log(`trends --since 30d --bucket 1h over ${store.runTableSince(since).length} runs: ${median(table).toFixed(1)} ms from the columns, ${median(objects).toFixed(1)} ms from built runs (medians of ${CALLS}, load ${loadavg()[0].toFixed(1)})`);
  await store.close();
} finally {
  rmSync(root, { recursive: true, force: true });
}
