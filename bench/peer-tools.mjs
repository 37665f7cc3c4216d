// What the side-by-side benchmarks share: finding the benchmark's `sleep` processes in /proc,
// PSS/RSS of a process, pm2 (installed into a temp dir, never a dependency) and supervisord
// (from Debian) started in a temporary home and ended afterwards, also on failure.

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';

export const run = promisify(execFile);

/** ms a plain `cat SRC > file` takes in `dir` (the floor the output benches compare with). */
export function redirectMs(src, dir, argv = ['cat', src]) {
  const out = join(dir, 'redirected');
  const t = performance.now();
  const r = spawnSync('sh', ['-c', '"$@" > "$0"', out, ...argv]);
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`redirect failed: ${r.stderr}`);
  rmSync(out, { force: true });
  return ms;
}
/**
 * Every benchmark job is `sleep ARG`: unusual enough to find (and end) in /proc. Two benches run
 * at once on one machine must each have their own (PROCD_BENCH_ARG=412346 …), or each counts, and
 * ends, the other's jobs.
 */
export const ARG = benchArg(process.env.PROCD_BENCH_ARG);

function benchArg(given) {
  if (given === undefined || given === '') return '412345';
  if (!/^[1-9][0-9]{5,8}$/.test(given)) throw new Error(`PROCD_BENCH_ARG=${given}: give a number of 6 to 9 digits (seconds for sleep)`);
  return given;
}

/** pids of live `sleep ARG` processes (`/usr/bin/sleep ARG` too). */
export function sleepers(arg = ARG) {
  const out = [];
  for (const e of readdirSync('/proc')) {
    if (e.charCodeAt(0) > 57) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'latin1').split('\0');
      // pm2 and supervisord exec the resolved path (/usr/bin/sleep), procd the argv as given
      if (argv.length !== 3 || !(argv[0] === 'sleep' || argv[0].endsWith('/sleep')) || argv[1] !== arg) continue;
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      const state = stat[stat.lastIndexOf(')') + 2];
      if (state !== 'Z' && state !== 'X') out.push(Number(e));
    } catch {
      // vanished mid-scan
    }
  }
  return out;
}

export function killSleepers(arg = ARG) {
  for (const pid of sleepers(arg)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Waits (polling, deadline) until done(number of sleepers) holds. */
export async function untilSleepers(done, what, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!done(sleepers().length)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${sleepers().length} running)`);
    await delay(20);
  }
}

export const ppid = (pid) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
};

/** { pss, rss } in MiB from /proc/PID/smaps_rollup (PSS splits shared pages among the processes mapping them). */
export function memOf(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kB = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { pss: kB('Pss') / 1024, rss: kB('Rss') / 1024 };
}

/** pm2@7 in a temporary prefix, or PROCD_BENCH_PM2_DIR when it already holds one. */
export function installPm2() {
  const given = process.env.PROCD_BENCH_PM2_DIR;
  if (given && existsSync(join(given, 'node_modules/.bin/pm2'))) return { dir: given, owned: false };
  const dir = mkdtempSync(join(tmpdir(), 'procd-bench-pm2-'));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, 'pm2@7'], { stdio: 'ignore', timeout: 300_000 });
  return { dir, owned: true };
}

/** fn({ pm2, env, home, daemonPid }) with pm2's daemon up in a temporary PM2_HOME; killed afterwards. */
export async function withPm2(fn) {
  const installed = installPm2();
  const pm2 = join(installed.dir, 'node_modules/.bin/pm2');
  const home = mkdtempSync(join(tmpdir(), 'procd-bench-pm2home-'));
  const env = { ...process.env, PM2_HOME: home, HOME: home };
  try {
    execFileSync(pm2, ['ping'], { env, stdio: 'ignore', timeout: 60_000 }); // its daemon up before timing
    const daemonPid = Number(readFileSync(join(home, 'pm2.pid'), 'utf8'));
    return await fn({ pm2, env, home, daemonPid });
  } finally {
    spawnSync(pm2, ['kill'], { env, stdio: 'ignore', timeout: 60_000 });
    rmSync(home, { recursive: true, force: true });
    if (installed.owned) rmSync(installed.dir, { recursive: true, force: true });
  }
}

export const haveSupervisord = () => spawnSync('supervisord', ['--version']).status === 0;

/**
 * fn({ ctl, conf, dir, daemonPid }) with supervisord running the given `[program:…]` sections
 * from a temporary directory; shut down (and SIGKILLed if need be) afterwards.
 */
export async function withSupervisord(programs, fn) {
  if (!haveSupervisord()) throw new Error('supervisord is not installed (Debian: apt-get install supervisor)');
  const dir = mkdtempSync(join(tmpdir(), 'procd-bench-sv-'));
  const conf = join(dir, 'supervisord.conf');
  writeFileSync(
    conf,
    `[unix_http_server]\nfile=${dir}/sv.sock\n\n[supervisord]\npidfile=${dir}/sv.pid\nlogfile=${dir}/sv.log\nchildlogdir=${dir}\nnodaemon=false\n\n` +
      `[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n[supervisorctl]\nserverurl=unix://${dir}/sv.sock\n\n${programs}`,
  );
  const ctl = (args) => run('supervisorctl', ['-c', conf, ...args]).catch((err) => {
    if (err.code !== 3) throw err; // 3: some program is not running, which is the point of stopping
  });
  try {
    execFileSync('supervisord', ['-c', conf], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (spawnSync('supervisorctl', ['-c', conf, 'pid']).status !== 0) {
      if (Date.now() > deadline) throw new Error('supervisord did not start');
      await delay(50);
    }
    const daemonPid = Number(readFileSync(join(dir, 'sv.pid'), 'utf8'));
    return await fn({ ctl, conf, dir, daemonPid });
  } finally {
    spawnSync('supervisorctl', ['-c', conf, 'shutdown'], { stdio: 'ignore', timeout: 30_000 });
    try {
      process.kill(Number(readFileSync(join(dir, 'sv.pid'), 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
