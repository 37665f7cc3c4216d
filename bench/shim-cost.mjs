#!/usr/bin/env node
// The two job shims side by side, without a daemon (so only the shim is measured):
//  - memory: N shims each running `sleep` (default 100): the sum and the per-shim mean of Pss
//    from /proc/<shim>/smaps_rollup (PSS shares a binary's or interpreter's pages among the
//    processes that map them; RSS would count them in every shim), and RSS for reference;
//  - output: BYTES (default 200 MB) of random bytes from one child (`cat` of a file in the page
//    cache) through the shim into its segments, from the shim's spawn to its `closed` file, vs
//    the same `cat` redirected to a file by sh; median of ROUNDS (default 3), byte counts checked;
//  - with --daemon, also a real daemon per shim (PROCD_SHIM=perl|native) with N `sleep` jobs started
//    by N concurrent library calls: the time until all run, and the PSS of the daemon and its shims.
// Usage: npm run build && node bench/shim-cost.mjs [--jobs N] [--bytes N] [--rounds N] [--only perl,native] [--daemon]
// Prints one line per figure and, with --json, a JSON object. Every process it starts is ended.

import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { redirectMs } from './peer-tools.mjs';

const REPO = resolve(import.meta.dirname, '..');
const { writeSpawnSpec } = await import(join(REPO, 'dist/daemon/output/spawn-spec.js'));
const SHIMS = {
  perl: [process.env.PROCD_PERL ?? 'perl', join(REPO, 'daemon/shim/procd-shim.pl')],
  native: [join(REPO, 'dist/shim/procd-shim')],
};

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : dflt);
const JOBS = Number(opt('jobs', 100));
const BYTES = Number(opt('bytes', 200_000_000));
const ROUNDS = Number(opt('rounds', 3));
const ONLY = opt('only', 'perl,native').split(',');

const started = new Set(); // job pids (each leads its own group) to kill at exit
const shims = new Set();
process.on('exit', () => {
  for (const pid of [...started].map((p) => -p).concat([...shims])) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

async function waitFile(path, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${path}`);
    await delay(2);
  }
  return JSON.parse(readFileSync(path, 'utf8'));
}

async function startShim(kind, dir, argv, over = {}) {
  await writeSpawnSpec(dir, { argv, cwd: '/', env: { PATH: process.env.PATH }, maxOutputBytes: 1 << 20, segmentBytes: 1 << 18, ...over });
  const log = openSync(join(dir, 'shim.log'), 'a');
  const [file, ...pre] = SHIMS[kind];
  const child = spawn(file, [...pre, dir], { detached: true, stdio: ['ignore', 'ignore', log] });
  closeSync(log);
  shims.add(child.pid);
  child.on('exit', () => shims.delete(child.pid));
  return child;
}

/** A daemon in its own home running under the given shim: N jobs started at once, then the PSS of it and its shims. */
async function withDaemon(kind) {
  const { connect } = await import(join(REPO, 'dist/client/index.js'));
  const { resolvePaths } = await import(join(REPO, 'dist/shared/paths.js'));
  const home = mkdtempSync(join(tmpdir(), `procd-shimcost-d-${kind}-`));
  const prev = { ...process.env };
  Object.assign(process.env, { PROCD_HOME: home, PROCD_SHIM: kind });
  delete process.env.PROCD_SOCKET;
  const client = await connect({ paths: resolvePaths(process.env), autostart: true, callTimeoutMs: 120_000 });
  try {
    const daemon = (await client.daemonStatus({})).pid;
    const t = performance.now();
    const jobs = await Promise.all(Array.from({ length: JOBS }, () => client.track({ argv: ['sleep', '600'], cwd: '/', env: { PATH: process.env.PATH, PROCD_HOME: home } })));
    const ids = jobs.map((j) => j.id);
    let shimPids = [];
    for (;;) {
      const states = await Promise.all(ids.map((id) => client.status({ job: id })));
      if (states.every((s) => s.state.kind === 'running')) {
        shimPids = states.map((s) => s.state.shimPid);
        break;
      }
      await delay(5);
    }
    const startMs = performance.now() - t;
    const pssOf = (pid) => kB(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss') / 1024;
    const shimsPss = shimPids.reduce((n, pid) => n + pssOf(pid), 0);
    const daemonPss = pssOf(daemon);
    await client.kill({ jobs: ids }, { timeoutMs: 120_000 });
    return { startAllMs: startMs, shimsPssMiB: shimsPss, daemonPssMiB: daemonPss, totalPssMiB: shimsPss + daemonPss };
  } finally {
    await client.daemonStop({}).catch(() => undefined);
    client.close();
    await delay(300);
    for (const e of readdirSync('/proc')) {
      try {
        if (/^\d+$/.test(e) && readFileSync(`/proc/${e}/environ`, 'latin1').split('\0').includes(`PROCD_HOME=${home}`)) process.kill(Number(e), 'SIGKILL');
      } catch {
        // gone or not ours
      }
    }
    rmSync(home, { recursive: true, force: true });
    process.env = prev;
  }
}

const kB = (text, field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function memory(kind) {
  const root = mkdtempSync(join(tmpdir(), `procd-shimcost-${kind}-`));
  try {
    const t0 = performance.now();
    const children = [];
    for (let i = 0; i < JOBS; i++) {
      const dir = join(root, String(i));
      spawnSync('mkdir', [dir]);
      children.push({ dir, child: await startShim(kind, dir, ['sleep', '600']) });
    }
    for (const c of children) started.add((await waitFile(join(c.dir, 'started'))).pid);
    const startMs = performance.now() - t0;
    let pss = 0;
    let rss = 0;
    for (const { child } of children) {
      const text = readFileSync(`/proc/${child.pid}/smaps_rollup`, 'utf8');
      pss += kB(text, 'Pss');
      rss += kB(text, 'Rss');
    }
    for (const pid of started) process.kill(-pid, 'SIGKILL');
    for (const c of children) await waitFile(join(c.dir, 'closed'));
    started.clear();
    return { pssMiB: pss / 1024, pssPerShimMiB: pss / 1024 / JOBS, rssPerShimMiB: rss / 1024 / JOBS, startAllMs: startMs };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function sourceFile(dir) {
  const src = join(dir, 'source');
  const fd = openSync(src, 'w');
  const buf = Buffer.alloc(1 << 20);
  for (let left = BYTES; left > 0; left -= buf.length) writeSync(fd, randomFillSync(buf), 0, Math.min(left, buf.length));
  closeSync(fd);
  spawnSync('cat', [src], { stdio: ['ignore', 'ignore', 'ignore'] }); // into the page cache
  return src;
}

async function throughShim(kind, src, root, round) {
  const dir = join(root, `${kind}-${round}`);
  spawnSync('mkdir', [dir]);
  const t = performance.now();
  await startShim(kind, dir, ['cat', src], { maxOutputBytes: 256 << 20, segmentBytes: 64 << 20 });
  const closed = await waitFile(join(dir, 'closed'));
  const ms = performance.now() - t;
  if (closed.stdoutBytes !== BYTES) throw new Error(`${kind}: stored ${closed.stdoutBytes} of ${BYTES} bytes`);
  rmSync(dir, { recursive: true, force: true });
  return ms;
}

const result = { jobs: JOBS, bytes: BYTES, rounds: ROUNDS, memory: {}, output: {} };
for (const kind of ONLY) {
  const m = await memory(kind);
  result.memory[kind] = m;
  console.log(`${kind}: ${JOBS} shims with a running sleep: PSS ${m.pssMiB.toFixed(1)} MiB in all, ${m.pssPerShimMiB.toFixed(3)} MiB per shim (RSS ${m.rssPerShimMiB.toFixed(2)} MiB per shim); all ${JOBS} started in ${Math.round(m.startAllMs)} ms (one after another, node spawning each)`);
}
if (args.includes('--daemon')) {
  for (const kind of ONLY) {
    const d = await withDaemon(kind);
    result.daemon = { ...result.daemon, [kind]: d };
    console.log(`${kind}: daemon + ${JOBS} jobs: all running ${Math.round(d.startAllMs)} ms after ${JOBS} concurrent track calls; PSS daemon ${d.daemonPssMiB.toFixed(1)} MiB + shims ${d.shimsPssMiB.toFixed(1)} MiB = ${d.totalPssMiB.toFixed(1)} MiB`);
  }
}
const root = mkdtempSync(join(tmpdir(), 'procd-shimcost-out-'));
try {
  const src = sourceFile(root);
  const plain = [];
  const via = Object.fromEntries(ONLY.map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    plain.push(redirectMs(src, root));
    for (const kind of ONLY) via[kind].push(await throughShim(kind, src, root, r));
  }
  result.output.redirectMs = median(plain);
  console.log(`${BYTES / 1e6} MB, cat > file: ${Math.round(result.output.redirectMs)} ms (median of ${ROUNDS}: ${plain.map(Math.round).join('/')})`);
  for (const kind of ONLY) {
    const ms = median(via[kind]);
    result.output[kind] = { ms, ratio: ms / result.output.redirectMs };
    console.log(`${BYTES / 1e6} MB, cat through the ${kind} shim: ${Math.round(ms)} ms = ${(ms / result.output.redirectMs).toFixed(2)}x the redirect (median of ${ROUNDS}: ${via[kind].map(Math.round).join('/')})`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
if (args.includes('--json')) console.log(JSON.stringify(result));
