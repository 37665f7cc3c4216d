#!/usr/bin/env node
// The history store with 100,000 synthetic runs (issue 14): how long loading them takes (median of
// several cold loads, each in a fresh process), how long materialising them all takes (what
// `trends` reads; `analyze` reads the columns in place: bench/analyze-history.mjs), and the
// daemon's RSS with them loaded against the same daemon with an empty history.
// `node bench/history.mjs [--runs N] [--rounds R]` after `npm run build`.
//
// The synthetic history is shaped like a busy developer's month: 300 command signatures (builds,
// tests, servers, scripts in a few dozen directories), 85% successful runs, failures with stderr
// tails drawn from real error shapes with varying ports, paths and line numbers, some restarts,
// flags and limit violations, ended over the last 20 days (inside the default 30-day bound).

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { median } from './stats.mjs';

const REPO = resolve(import.meta.dirname, '..');
const { HistoryStore } = await import(join(REPO, 'dist/daemon/history/history-store.js'));
const { withDaemon } = await import('./with-daemon.mjs');

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const RUNS = opt('--runs', 100_000);
const ROUNDS = opt('--rounds', 5);
/** `--write DIR`: only write the synthetic history into DIR (to profile loading it). */
const WRITE_ONLY = args.includes('--write') ? args[args.indexOf('--write') + 1] : null;


// ---- a deterministic synthetic month --------------------------------------------------------------

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const DIRS = Array.from({ length: 40 }, (_, i) => `/home/dev/src/project-${i}`);
const COMMANDS = [['npm', 'test'], ['npm', 'run', 'build'], ['make', '-j8'], ['cargo', 'test'], ['pytest', '-x'], ['go', 'test', './...'], ['node', 'server.js'], ['./deploy.sh', 'staging']];
const SIGNATURES = Array.from({ length: 300 }, (_, i) => {
  const argv = [...COMMANDS[i % COMMANDS.length], ...(i % 3 ? [] : [`--shard=${i}`])];
  const cwd = DIRS[i % DIRS.length];
  return { argv, cwd, name: `${argv[0].replace(/\W/g, '')}-${i}`, usualMs: 2000 + Math.floor(rand() * 120_000), signature: `${JSON.stringify(argv)}@${cwd}` };
});
const FAILURES = [
  () => [`Error: listen EADDRINUSE: address already in use :::${3000 + Math.floor(rand() * 20)}`, '    at Server.setupListenHandle [as _listen2] (node:net:1872:16)', '    at listenInCluster (node:net:1920:12)'],
  () => ['Traceback (most recent call last):', `  File "/home/dev/src/app/models.py", line ${Math.floor(rand() * 900)}, in load`, "KeyError: 'user_id'"],
  () => ['npm error code ELIFECYCLE', 'npm error errno 1', `npm error project@1.0.${Math.floor(rand() * 50)} test: \`vitest run\``],
  () => [`thread 'main' panicked at src/main.rs:${Math.floor(rand() * 400)}:5:`, 'called `Result::unwrap()` on an `Err` value: Os { code: 2, kind: NotFound }'],
  () => [`FAIL  test/api.test.ts > creates a user (${Math.floor(rand() * 9000)} ms)`, 'AssertionError: expected 500 to be 201'],
  () => [`make: *** [Makefile:${Math.floor(rand() * 80)}: all] Error 2`],
  () => [`sh: 1: frobnicate: not found`],
];

function syntheticRun(i, now) {
  const s = SIGNATURES[Math.floor(Math.pow(rand(), 2) * SIGNATURES.length)];
  const endedAt = now - Math.floor(((RUNS - i) / RUNS) * 20 * 86_400_000);
  const r = rand();
  const failed = r < 0.1;
  const killed = !failed && r < 0.15;
  const durationMs = Math.max(5, Math.round(s.usualMs * (0.8 + rand() * 0.4) * (failed ? rand() : 1)));
  const tail = failed ? pick(FAILURES)() : rand() < 0.3 ? [`warning: ${Math.floor(rand() * 40)} deprecated packages`] : [];
  return {
    jobId: 1 + Math.floor(i / 3),
    run: 1 + (i % 3 === 2 && failed ? 1 : 0),
    name: s.name,
    signature: s.signature,
    command: s.argv.join(' '),
    cwd: s.cwd,
    tags: i % 5 ? [] : ['ci'],
    group: 'default',
    kind: s.argv[0] === 'node' ? 'service' : 'task',
    startedAt: endedAt - durationMs,
    endedAt,
    durationMs,
    state: failed ? 'failed' : killed ? 'killed' : 'completed',
    outcome: killed ? 'signal' : 'exit',
    outcomeDetail: null,
    exitCode: failed ? 1 : killed ? 143 : 0,
    signal: killed ? 'SIGTERM' : null,
    restarts: 0,
    cpuPeak: Math.round(rand() * 4000) / 10,
    cpuAvg: Math.round(rand() * 1000) / 10,
    rssPeak: Math.floor(rand() * 2 ** 31),
    rssAvg: Math.floor(rand() * 2 ** 30),
    flags: rand() < 0.05 ? ['time_sink'] : rand() < 0.05 ? ['bottleneck'] : [],
    violations: rand() < 0.01 ? ['memory'] : [],
    readyAfterMs: s.argv[0] === 'node' ? Math.floor(rand() * 3000) : null,
    stderrTail: tail,
    errors: failed && tail[0].includes('EADDRINUSE') ? [{ signature: 'EADDRINUSE', detail: tail[0].slice(-4), line: tail[0] }] : [],
  };
}

async function writeHistory(dir, n) {
  const store = HistoryStore.open(dir, {});
  const now = Date.now();
  for (let i = 0; i < n; i++) store.record(syntheticRun(i, now));
  await store.close();
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

// ---- measurements ------------------------------------------------------------------------------

/** One cold load in a fresh process: ms to open the store, ms to materialise every run (runsSince(0)). */
function coldLoad(dir) {
  const script = `
    const { HistoryStore } = await import(${JSON.stringify(join(REPO, 'dist/daemon/history/history-store.js'))});
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const s = HistoryStore.open(${JSON.stringify(dir)}, {});
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    const runs = s.runsSince(0);
    const t2 = performance.now();
    console.log(JSON.stringify({ loadMs: t1 - t0, loadCpuMs: (c1.user + c1.system) / 1000, materialiseMs: t2 - t1, runs: runs.length, warnings: s.warnings.length }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
}

const rssMiB = (pid) => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** The daemon's RSS once started (and settled) over `home`, after one `history` call. */
async function daemonRss(home) {
  return withDaemon({}, async ({ client }) => {
    const { pid } = await client.daemonStatus({});
    await client.history({ limit: 20 });
    await delay(3000); // start-up garbage collected, maintenance done
    return rssMiB(pid);
  }, { home });
}

if (WRITE_ONLY) {
  await writeHistory(WRITE_ONLY, RUNS);
  process.exit(0);
}

/**
 * 100 jobs that write a stderr line and end together: how long after the last end all 100 are in
 * the history (the recording is off the end's path: the tail is read after the shim drained the
 * pipes, the append is one batched write), and whether each tail is right.
 */
async function hundredEnds(home) {
  return withDaemon({}, async ({ client }) => {
    const jobs = await Promise.all(Array.from({ length: 100 }, (_, i) => client.track({ shell: `echo "Error: run ${i} failed" >&2; sleep 2; exit 3`, cwd: tmpdir() })));
    const { jobs: ended } = await client.wait({ jobs: jobs.map((j) => j.id), timeoutMs: 120_000 });
    let h;
    for (;;) {
      h = await client.history({ limit: 1000 });
      if (h.runs.length >= 100) break;
      await delay(10);
    }
    const lastEnd = Math.max(...ended.map((j) => j.state.endedAt));
    return { recordedMsAfterLastEnd: Date.now() - lastEnd, tailsRight: h.runs.every((r) => /^Error: run \d+ failed$/.test(r.stderrTail[0] ?? '')) };
  }, { home });
}

const root = mkdtempSync(join(tmpdir(), 'procd-bench-history-'));
try {
  const full = join(root, 'full');
  const empty = join(root, 'empty');
  mkdirSync(full, { mode: 0o700 });
  mkdirSync(empty, { mode: 0o700 });
  const t0 = Date.now();
  const bytes = await writeHistory(join(full, 'history'), RUNS);
  console.error(`wrote ${RUNS} runs (${(bytes / 2 ** 20).toFixed(1)} MiB on disk) in ${Date.now() - t0} ms`);

  const loads = [];
  for (let i = 0; i < ROUNDS; i++) loads.push(coldLoad(join(full, 'history')));
  console.error(`loads: ${loads.map((l) => `${l.loadMs.toFixed(0)} ms`).join(', ')}; materialise: ${loads.map((l) => `${l.materialiseMs.toFixed(0)} ms`).join(', ')}`);

  const rss = { full: [], empty: [] };
  for (let i = 0; i < 3; i++) {
    rss.empty.push(await daemonRss(empty));
    rss.full.push(await daemonRss(full));
  }
  const result = {
    runs: RUNS,
    diskMiB: Number((bytes / 2 ** 20).toFixed(1)),
    loadMsMedian: Number(median(loads.map((l) => l.loadMs)).toFixed(0)),
    // CPU time of the load: what the wall time is on an idle core (this machine is shared: see loadAverage).
    loadCpuMsMedian: Number(median(loads.map((l) => l.loadCpuMs)).toFixed(0)),
    loadAverage: Number(loadavg()[0].toFixed(1)),
    materialiseAllMsMedian: Number(median(loads.map((l) => l.materialiseMs)).toFixed(0)),
    daemonRssEmptyMiB: Number(median(rss.empty).toFixed(1)),
    daemonRssFullMiB: Number(median(rss.full).toFixed(1)),
  };
  result.daemonRssAddedMiB = Number((result.daemonRssFullMiB - result.daemonRssEmptyMiB).toFixed(1));
  const ends = join(root, 'ends');
  mkdirSync(ends, { mode: 0o700 });
  result.hundredEnds = await hundredEnds(ends);
  console.log(JSON.stringify(result, null, 2));
  console.error(`load ${result.loadMsMedian} ms, ${result.loadCpuMsMedian} ms of CPU (target < 1000), RSS +${result.daemonRssAddedMiB} MiB (target < 40)`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
