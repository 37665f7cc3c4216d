// `analyze` over 100,000 finished runs, in-process: the analysers (daemon/analysis/) over a synthetic
// history — 500 commands, 10% failures with error signatures, restarts, noisy durations, a few
// slowing down — and 200 live jobs. Budget: < 200 ms (DESIGN.md). The runs are an array here (the
// analysers read it through the same RunTable interface as the store's columns); over the store,
// end to end through the RPC: bench/analyze-history.mjs.
// Usage: npm run build && node bench/analyze.mjs [runs=100000] [repeats=11]

import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { analyze } from '../dist/daemon/analysis/analyze.js';
import { DEFAULT_THRESHOLDS } from '../dist/daemon/monitor/thresholds.js';

const N = Number(process.argv[2] ?? 100_000);
const repeats = Number(process.argv[3] ?? 11);
const COMMANDS = 500;
const now = Date.UTC(2026, 11, 3, 12);
const since = now - 24 * 3_600_000;

let seed = 42;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const ERRORS = [
  { signature: 'EADDRINUSE', detail: '3000', line: 'Error: listen EADDRINUSE: address already in use :::3000' },
  { signature: 'ENOENT', detail: '/app/.env', line: "Error: ENOENT: no such file or directory, open '/app/.env'" },
  { signature: 'python_exception', detail: 'ValueError', line: "ValueError: invalid literal for int() with base 10: 'x'" },
  { signature: 'oom', detail: 'node heap', line: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' },
];

const runs = [];
for (let i = 0; i < N; i++) {
  const c = i % COMMANDS;
  const failed = rnd() < 0.1;
  const base = 1000 + c * 37;
  // One command in 50 slows down by 10% per run over its last 20 runs; the rest are noise around a flat mean.
  const k = Math.floor(i / COMMANDS) - (Math.floor(N / COMMANDS) - 20);
  const slope = c % 50 === 0 && k > 0 ? 0.1 * k : 0;
  const durationMs = Math.round(base * (1 + slope) * (0.8 + 0.4 * rnd()));
  const endedAt = since + Math.floor((i / N) * (now - since));
  const restarts = failed && rnd() < 0.5 ? 1 + Math.floor(rnd() * 3) : 0;
  runs.push({
    seq: i + 1, jobId: 1000 + i, run: restarts + 1, name: `cmd${c}`, signature: `["cmd${c}"]@/w/${c % 40}`, command: `cmd${c}`, cwd: `/w/${c % 40}`,
    tags: [], group: 'default', kind: c % 10 === 0 ? 'service' : 'task', startedAt: endedAt - durationMs, endedAt, durationMs,
    state: failed ? 'failed' : 'completed', outcome: 'exit', outcomeDetail: null, exitCode: failed ? 1 + (i % 3) : 0, signal: null, restarts,
    cpuPeak: 50, cpuAvg: 20, rssPeak: 100 << 20, rssAvg: 80 << 20, flags: [], violations: [], readyAfterMs: null,
    stderrTail: failed ? ['some line', ERRORS[i % ERRORS.length].line] : [], errors: failed ? [ERRORS[i % ERRORS.length]] : [],
  });
}

// Baselines as the store gives them: the median of each command's successful runs, precomputed (the store keeps them).
const baselines = new Map();
for (const r of runs) if (r.state === 'completed') (baselines.get(r.signature) ?? baselines.set(r.signature, []).get(r.signature)).push(r.durationMs);
const baselineOf = new Map([...baselines].map(([sig, d]) => { const s = d.slice(-20).sort((a, b) => a - b); return [sig, { signature: sig, runs: s.length, medianMs: s[s.length >> 1], p90Ms: s[Math.floor(s.length * 0.9)] }]; }));

const jobs = Array.from({ length: 200 }, (_, i) => ({
  id: i + 1, name: `live${i}`, description: null, tags: [], createdAt: now - 60_000,
  spec: { command: { kind: 'argv', argv: [`cmd${i % COMMANDS}`] }, kind: 'task', cwd: `/w/${i % 40}`, env: {}, timeoutMs: null, expectMs: i % 7 === 0 ? 10_000 : null, stuckAfterMs: 60_000, maxOutputBytes: 1 << 20, stopSignal: 'SIGTERM', stopGraceMs: null },
  state: { kind: 'running', startedAt: now - 60_000 - i * 1000, pid: 10_000 + i, startTicks: 1, shimPid: 9_000 + i },
  pendingKill: null, flags: [], flagHistory: [],
  resources: { samples: 30, cpuSamples: 29, cpuPeak: 120, cpuAvg: 40, rssPeak: 200 << 20, rssAvg: 150 << 20, processesPeak: 2, last: { at: now - 500, cpuPercent: i % 20 === 0 ? 180 : 15, rssBytes: 150 << 20, mainRssBytes: 100 << 20, processes: 2, threads: 4, fds: 10, states: { S: 2 } } },
  output: { stdoutBytes: 100, stderrBytes: 0, droppedBytes: 0, lastOutputAt: now - (i % 5) * 30_000 },
  dir: `/nonexistent/${i + 1}`,
}));

// As the store hands them out (decoded from JSON): flat strings, not the concatenations built above.
for (const r of runs) r.signature = JSON.parse(JSON.stringify(r.signature));
const input = { now, since, jobs, runs, baseline: (sig) => baselineOf.get(sig) ?? null, thresholds: DEFAULT_THRESHOLDS, totalMemoryBytes: 16 * 1024 ** 3 };
// Warm-up: the daemon calls analyze repeatedly, its code is optimised by then.
for (let i = 0; i < 3; i++) analyze(input);
// Wall time, and CPU time (this process, all threads): on a machine shared with other work the
// wall time also counts the time spent waiting for a core; the CPU time does not.
const times = [];
const cpu = [];
let report;
for (let i = 0; i < repeats; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  report = analyze(input);
  times.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const median = times[times.length >> 1];
const h = report.headline;
console.log(`analyze over ${N} runs + ${jobs.length} live jobs: median ${median.toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times.at(-1).toFixed(1)}, ${repeats} repeats), CPU ${cpu[cpu.length >> 1].toFixed(1)} ms; budget < 200 ms; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`);
console.log(`  found: ${h.timeSinks} time sinks, ${h.bottlenecks} bottlenecks, ${h.stuck} stuck, ${h.errors} errors in ${report.commonErrors.length} kinds, ${h.duplicates} duplicates, ${report.patterns.bySignature.filter((p) => p.trend?.direction === 'slower').length} commands slowing, ${report.recommendations.length} recommendations`);
