#!/usr/bin/env node
// `analyze` over the history store's 100,000 runs, end to end (issue 14: < 200 ms): the RPC's round
// trip from a client to a daemon whose history holds bench/history.mjs's synthetic month, with
// `--since 30d` so every run is in the period (and with the default 24 h), the daemon's RSS after
// those calls, and in-process the two parts of it: reading the runs from the store and the
// analysers. `--against DIR` measures another checkout's build (e.g. the commit before a change)
// the same way, alternating rounds with this one, and prints the ratios.
// Usage: npm run build && node bench/analyze-history.mjs [--runs N] [--calls C] [--rounds R] [--against DIR]

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { median } from './stats.mjs';

const REPO = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const RUNS = Number(opt('--runs', 100_000));
const CALLS = Number(opt('--calls', 9));
const ROUNDS = Number(opt('--rounds', 3));
const AGAINST = opt('--against', null);
const SINCE_ALL = 30 * 86_400_000;

const rssMiB = (pid) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** Round trips of `analyze` (after two warm-up calls) and the daemon's RSS after them, over a copy of `home`. */
async function rpcRound(repo, home) {
  const { withDaemon } = await import(join(repo, 'bench/with-daemon.mjs'));
  const copy = mkdtempSync(join(tmpdir(), 'procd-bench-analyze-'));
  cpSync(home, copy, { recursive: true });
  try {
    return await withDaemon({}, async ({ client }) => {
      const { pid } = await client.daemonStatus({});
      const time = async (params) => {
        const t0 = performance.now();
        const r = await client.analyze(params);
        return { ms: performance.now() - t0, runs: r.headline.runs };
      };
      for (let i = 0; i < 2; i++) await time({ sinceMs: SINCE_ALL });
      const all = [];
      const day = [];
      let runs = 0;
      for (let i = 0; i < CALLS; i++) {
        const r = await time({ sinceMs: SINCE_ALL });
        all.push(r.ms);
        runs = r.runs;
        day.push((await time({})).ms);
      }
      await delay(2000); // what the calls left is collected
      return { allMs: median(all), dayMs: median(day), runs, rssMiB: rssMiB(pid) };
    }, { home: copy });
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** In a fresh process of `repo`'s build: the store's read of all runs and the analysers, medians of warm calls. */
function inProcess(repo, dir) {
  const script = `
    const { HistoryStore } = await import(${JSON.stringify(join(repo, 'dist/daemon/history/history-store.js'))});
    const { analyze } = await import(${JSON.stringify(join(repo, 'dist/daemon/analysis/analyze.js'))});
    const { DEFAULT_THRESHOLDS } = await import(${JSON.stringify(join(repo, 'dist/daemon/monitor/thresholds.js'))});
    const s = HistoryStore.open(${JSON.stringify(dir)}, {});
    const now = Date.now();
    const since = now - ${SINCE_ALL};
    // The table of columns where the build has it, else the materialised runs (the build before it).
    const read = () => (s.runTableSince ? s.runTableSince(since) : s.runsSince(since));
    const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const readMs = [], analyseMs = [];
    for (let i = 0; i < ${CALLS + 2}; i++) {
      const t0 = performance.now();
      const runs = read();
      const t1 = performance.now();
      analyze({ now, since, jobs: [], runs, baseline: (sig) => s.baseline(sig), thresholds: DEFAULT_THRESHOLDS, totalMemoryBytes: 16 * 1024 ** 3 });
      const t2 = performance.now();
      if (i >= 2) (readMs.push(t1 - t0), analyseMs.push(t2 - t1));
    }
    console.log(JSON.stringify({ readMs: med(readMs), analyseMs: med(analyseMs) }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

const builds = [{ label: 'this', repo: REPO }, ...(AGAINST ? [{ label: 'against', repo: resolve(AGAINST) }] : [])];
const root = mkdtempSync(join(tmpdir(), 'procd-bench-analyze-history-'));
try {
  const home = join(root, 'home');
  mkdirSync(home, { mode: 0o700 });
  execFileSync(process.execPath, [join(REPO, 'bench/history.mjs'), '--write', join(home, 'history'), '--runs', String(RUNS)], { stdio: 'inherit' });
  const got = new Map(builds.map((b) => [b.label, { rpc: [], inProc: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    // Alternating, so both builds see the same spells of load on this shared machine.
    for (const b of round % 2 ? [...builds].reverse() : builds) {
      const rpc = await rpcRound(b.repo, home);
      const inProc = inProcess(b.repo, join(home, 'history'));
      got.get(b.label).rpc.push(rpc);
      got.get(b.label).inProc.push(inProc);
      console.error(`  round ${round + 1} ${b.label}: analyze --since 30d ${rpc.allMs.toFixed(0)} ms (${rpc.runs} runs), 24 h ${rpc.dayMs.toFixed(0)} ms, RSS ${rpc.rssMiB.toFixed(1)} MiB; in-process read ${inProc.readMs.toFixed(1)} ms + analysers ${inProc.analyseMs.toFixed(1)} ms; load ${loadavg()[0].toFixed(1)}`);
    }
  }
  const summary = Object.fromEntries(
    builds.map((b) => {
      const g = got.get(b.label);
      const m = (xs) => Number(median(xs).toFixed(1));
      return [b.label, {
        repo: b.repo,
        analyzeAllMsMedian: m(g.rpc.map((r) => r.allMs)),
        analyzeDayMsMedian: m(g.rpc.map((r) => r.dayMs)),
        daemonRssMiBMedian: m(g.rpc.map((r) => r.rssMiB)),
        readMsMedian: m(g.inProc.map((r) => r.readMs)),
        analysersMsMedian: m(g.inProc.map((r) => r.analyseMs)),
      }];
    }),
  );
  const result = { runs: RUNS, callsPerRound: CALLS, rounds: ROUNDS, loadAverage: Number(loadavg()[0].toFixed(1)), ...summary };
  if (AGAINST) result.ratioAnalyzeAll = Number((summary.this.analyzeAllMsMedian / summary.against.analyzeAllMsMedian).toFixed(2));
  console.log(JSON.stringify(result, null, 2));
  console.error(`analyze over ${RUNS} runs: ${summary.this.analyzeAllMsMedian} ms (target < 200)${AGAINST ? `, ${result.ratioAnalyzeAll}× the other build's ${summary.against.analyzeAllMsMedian} ms` : ''}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
