#!/usr/bin/env node
// The daemon's cold start: from spawning `node <entry>` in a fresh PROCD_HOME until its socket
// answers a daemon.status call (what autostart waits for before every first command), and the
// CPU the daemon used by then. Side by side, in the same rounds (rotating order, so the machine's
// load hits them alike): `procd daemon start` through the CLI (whole command), pm2's cold
// `pm2 ping` (it starts its daemon and waits for it; pm2 from PROCD_BENCH_PM2_DIR, else installed
// into a temp dir, see bench/peer-tools.mjs) and supervisord until `supervisorctl status` answers.
// Used by bench/run.mjs (`--only daemonStart`), or alone:
//   node bench/daemon-start.mjs [--runs N] [--entry dist/daemon/procd-daemon.cjs] [--compare other/dist/daemon/main.js] [--no-peers]
// --compare times another build's daemon entry in the same rounds (an A/B; e.g. a checkout of main,
// whose entry is dist/daemon/main.js), and that build's `procd daemon start` (its dist/client/cli/main.js). Every daemon is stopped (and its home removed) after its round.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { haveSupervisord, installPm2 } from './peer-tools.mjs';
import { median } from './stats.mjs';

const REPO = resolve(import.meta.dirname, '..');
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
const round = (x, d = 2) => Number(x.toFixed(d));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
async function until(check, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(2);
  }
}
/** CPU ms (user + system) of a live process, in clock ticks (10 ms on Linux). */
function cpuMs(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

/** One JSON-RPC call over the socket; resolves with the answer, rejects when nobody answers. */
function call(socketPath, method, params = {}) {
  return new Promise((res, rej) => {
    const s = connect(socketPath);
    let buf = '';
    s.setTimeout(10_000, () => s.destroy(new Error('timeout')));
    s.on('error', rej);
    s.on('connect', () => s.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })}\n`));
    s.on('data', (b) => {
      buf += b;
      if (!buf.includes('\n')) return;
      s.end();
      res(JSON.parse(buf.slice(0, buf.indexOf('\n'))));
    });
  });
}

/** Starts `node entry` in a fresh home; ms until daemon.status answers and the daemon's CPU by then; stops it. */
export async function procdCold(entry, extraEnv = {}) {
  const home = mkdtempSync(join(tmpdir(), 'procd-bench-start-'));
  const env = { ...process.env, PROCD_HOME: home, ...extraEnv };
  delete env.PROCD_SOCKET;
  delete env.PROCD_LOG_DIR;
  const socket = join(home, 'procd.sock');
  const out = openSync(join(home, 'start.log'), 'a');
  const t = performance.now();
  const child = spawn(process.execPath, [entry], { env, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    await until(async () => {
      if (exited) throw new Error(`the daemon exited: ${readFileSync(join(home, 'start.log'), 'utf8')}`);
      return call(socket, 'daemon.status').then((a) => a.result !== undefined, () => false);
    }, `${entry} to answer`);
    const ms = performance.now() - t;
    return { ms, cpu: cpuMs(child.pid) };
  } finally {
    await call(socket, 'daemon.stop').catch(() => process.kill(child.pid, 'SIGKILL'));
    await until(() => exited, `${entry} to exit`, 30_000).catch(() => process.kill(child.pid, 'SIGKILL'));
    rmSync(home, { recursive: true, force: true });
  }
}

/** `procd daemon start` (the CLI, which spawns the daemon and waits for it), whole command; stopped after. */
async function cliStart(cli) {
  const home = mkdtempSync(join(tmpdir(), 'procd-bench-start-'));
  const env = { ...process.env, PROCD_HOME: home };
  delete env.PROCD_SOCKET;
  delete env.PROCD_LOG_DIR;
  const t = performance.now();
  const r = spawnSync(process.execPath, [cli, 'daemon', 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t;
  try {
    if (r.status !== 0) throw new Error(`procd daemon start failed (${r.status}): ${r.stderr}`);
    return { ms };
  } finally {
    const pid = Number(/pid (\d+)/.exec(r.stdout.toString())?.[1] ?? 0);
    spawnSync(process.execPath, [cli, 'daemon', 'stop'], { env, stdio: 'ignore' });
    if (pid) await until(() => !alive(pid), 'the daemon to exit', 30_000).catch(() => process.kill(pid, 'SIGKILL'));
    rmSync(home, { recursive: true, force: true });
  }
}

/** pm2's cold start: `pm2 ping` in a fresh PM2_HOME starts its daemon and answers once it is up; killed after. */
function pm2Cold(pm2) {
  const home = mkdtempSync(join(tmpdir(), 'procd-bench-pm2start-'));
  const env = { ...process.env, PM2_HOME: home, HOME: home };
  const t = performance.now();
  const r = spawnSync(pm2, ['ping'], { env, stdio: 'ignore', timeout: 60_000 });
  const ms = performance.now() - t;
  spawnSync(pm2, ['kill'], { env, stdio: 'ignore', timeout: 60_000 });
  rmSync(home, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`pm2 ping failed (${r.status})`);
  return { ms };
}

/** supervisord started (it daemonizes) until `supervisorctl status` answers; shut down after. */
async function supervisordCold() {
  const dir = mkdtempSync(join(tmpdir(), 'procd-bench-svstart-'));
  const conf = join(dir, 'supervisord.conf');
  writeFileSync(
    conf,
    `[unix_http_server]\nfile=${dir}/sv.sock\n\n[supervisord]\npidfile=${dir}/sv.pid\nlogfile=${dir}/sv.log\nchildlogdir=${dir}\n\n` +
      `[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n[supervisorctl]\nserverurl=unix://${dir}/sv.sock\n`,
  );
  const t = performance.now();
  try {
    spawnSync('supervisord', ['-c', conf], { stdio: 'ignore' });
    // status exits 0 (or 3 with stopped programs) once supervisord answers, 4 while it cannot be reached.
    await until(() => [0, 3].includes(spawnSync('supervisorctl', ['-c', conf, 'status'], { stdio: 'ignore' }).status), 'supervisord to answer');
    return { ms: performance.now() - t };
  } finally {
    spawnSync('supervisorctl', ['-c', conf, 'shutdown'], { stdio: 'ignore' });
    let pid = 0;
    try {
      pid = Number(readFileSync(join(dir, 'sv.pid'), 'utf8'));
    } catch {
      // never started
    }
    if (pid) await until(() => !alive(pid), 'supervisord to exit', 30_000).catch(() => process.kill(pid, 'SIGKILL'));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Returns rows [name, value, unit, target, met, note] for bench/run.mjs's record(). */
export async function benchDaemonStart({ runs = 11, entry = join(REPO, 'dist/daemon/procd-daemon.cjs'), compare = null, peers = true } = {}) {
  const cli = join(REPO, 'dist/client/cli/main.js');
  const variants = { procd: () => procdCold(entry), 'procd daemon start': () => cliStart(cli) };
  // The other build's CLI too when it is beside its daemon entry (dist/daemon/… → dist/client/cli/main.js).
  const compareCli = compare && join(dirname(compare), '../client/cli/main.js');
  if (compare) variants.compare = () => procdCold(compare);
  if (compareCli && existsSync(compareCli)) variants['compare: procd daemon start'] = () => cliStart(compareCli);
  const skipped = [];
  if (peers) {
    try {
      const { dir } = installPm2();
      const pm2 = join(dir, 'node_modules/.bin/pm2');
      variants.pm2 = () => pm2Cold(pm2);
    } catch (err) {
      skipped.push(`pm2: ${err.message}`);
    }
    if (haveSupervisord()) variants.supervisord = supervisordCold;
    else skipped.push('supervisord: not installed');
  }
  const names = Object.keys(variants);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  const cpu = { procd: [], compare: [] };
  await variants.procd(); // the file cache warm for everyone
  for (let i = 0; i < runs; i++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length];
      const r = await variants[name]();
      times[name].push(r.ms);
      if (r.cpu !== undefined) cpu[name].push(r.cpu);
    }
  }
  const med = (name) => round(median(times[name]), 1);
  const all = (name) => times[name].map((x) => Math.round(x)).join('/');
  const base = med('procd');
  const vs = names.filter((n) => n !== 'procd').map((n) => `${n} ${med(n)} ms`).join(', ');
  const rows = [
    ['daemon cold start until its socket answers', base, 'ms', '', null, `median of ${runs} rounds (${all('procd')}); daemon CPU by then ${round(median(cpu.procd), 0)} ms; ${vs}${skipped.length ? `; ${skipped.join('; ')}` : ''}`],
    ['`procd daemon start` whole command', med('procd daemon start'), 'ms', '', null, `median of ${runs} rounds (${all('procd daemon start')})`],
  ];
  if (times['compare: procd daemon start']) rows.push([`\`procd daemon start\` whole command, --compare's CLI ${compareCli}`, med('compare: procd daemon start'), 'ms', '', null, `median of ${runs} rounds (${all('compare: procd daemon start')}); ${round(med('compare: procd daemon start') / med('procd daemon start'), 2)}× this build's`]);
  if (compare) rows.push([`daemon cold start, --compare ${compare}`, med('compare'), 'ms', '', null, `median of ${runs} rounds (${all('compare')}); daemon CPU by then ${round(median(cpu.compare), 0)} ms; ${round(med('compare') / base, 2)}× this build's`]);
  for (const peer of ['pm2', 'supervisord']) {
    if (times[peer]) rows.push([`${peer} cold start until it answers`, med(peer), 'ms', '', null, `median of ${runs} rounds (${all(peer)}); ${round(med(peer) / base, 2)}× procd`]);
  }
  return rows;
}

if (process.argv[1] === import.meta.filename) {
  const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
  const compare = arg('--compare', null);
  const rows = await benchDaemonStart({
    runs: Number(arg('--runs', '11')),
    entry: resolve(arg('--entry', join(REPO, 'dist/daemon/procd-daemon.cjs'))),
    compare: compare && resolve(compare),
    peers: !process.argv.includes('--no-peers'),
  });
  for (const [name, value, unit, , , note] of rows) console.log(`${name}: ${value} ${unit} — ${note}`);
  process.exit(0);
}
