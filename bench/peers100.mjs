// "start 100 until all run" and "stop 100 in one call until none is left", side by side in one
// run: procd (100 concurrent library calls; one kill call), pm2 (one ecosystem file; `pm2 delete
// all`) and supervisord (`supervisorctl start` by name; `supervisorctl stop all`). Every tool
// runs the same `sleep 412345`; a phase ends when its call has returned and /proc shows all 100
// running (start) or none left (stop). Medians over ROUNDS rounds of start + stop, each tool's
// own daemon kept warm across rounds (its start-up is not measured).

import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';

const run = promisify(execFile);
const N = 100;
const ARG = '412345';

/** pids of live `sleep 412345` processes (`/usr/bin/sleep 412345` too). */
export function sleepers() {
  const out = [];
  for (const e of readdirSync('/proc')) {
    if (e.charCodeAt(0) > 57) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'latin1').split('\0');
      // pm2 and supervisord exec the resolved path (/usr/bin/sleep), procd the argv as given
      if (argv.length !== 3 || !(argv[0] === 'sleep' || argv[0].endsWith('/sleep')) || argv[1] !== ARG) continue;
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      const state = stat[stat.lastIndexOf(')') + 2];
      if (state !== 'Z' && state !== 'X') out.push(Number(e));
    } catch {
      // vanished mid-scan
    }
  }
  return out;
}

function killSleepers() {
  for (const pid of sleepers()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** ms from now until `call` has resolved and `count()` satisfies `done` (polled; deadline 60 s). */
async function timePhase(call, done) {
  const t0 = performance.now();
  let returned = false;
  const p = call().then(() => (returned = true));
  const deadline = Date.now() + 60_000;
  while (!(returned && done(sleepers().length))) {
    if (Date.now() > deadline) throw new Error(`phase did not finish (call returned: ${returned}, ${sleepers().length} running)`);
    await Promise.race([p, delay(5)]);
  }
  return performance.now() - t0;
}

async function untilCount(done, what) {
  const deadline = Date.now() + 60_000;
  while (!done(sleepers().length)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** procd: start = 100 concurrent track() calls; stop = one kill() of all 100. */
async function procdRounds(withDaemon, rounds) {
  const start = [];
  const stop = [];
  await withDaemon({}, async ({ client }) => {
    const env = { PATH: process.env.PATH };
    for (let r = 0; r < rounds; r++) {
      let ids = [];
      start.push(await timePhase(async () => (ids = (await Promise.all(Array.from({ length: N }, () => client.track({ argv: ['sleep', ARG], cwd: '/', env })))).map((j) => j.id)), (n) => n === N));
      stop.push(await timePhase(() => client.kill({ jobs: ids }, { timeoutMs: 120_000 }), (n) => n === 0));
      await client.prune({});
    }
  });
  return { start, stop };
}

/** pm2 (installed into `dir`): start = `pm2 start` of a 100-app ecosystem file; stop = `pm2 delete all`. */
async function pm2Rounds(dir, rounds) {
  const pm2 = join(dir, 'node_modules/.bin/pm2');
  const home = mkdtempSync(join(tmpdir(), 'procd-bench-pm2home-'));
  const env = { ...process.env, PM2_HOME: home, HOME: home };
  const eco = join(home, 'eco.config.js');
  const apps = Array.from({ length: N }, (_, i) => ({ name: `s${i}`, script: 'sleep', args: ARG, interpreter: 'none', autorestart: false }));
  writeFileSync(eco, `module.exports = ${JSON.stringify({ apps })};\n`);
  const start = [];
  const stop = [];
  try {
    execFileSync(pm2, ['ping'], { env, stdio: 'ignore', timeout: 60_000 }); // its daemon up before timing
    for (let r = 0; r < rounds; r++) {
      start.push(await timePhase(() => run(pm2, ['start', eco], { env }), (n) => n === N));
      stop.push(await timePhase(() => run(pm2, ['delete', 'all'], { env }), (n) => n === 0));
    }
  } finally {
    spawnSync(pm2, ['kill'], { env, stdio: 'ignore', timeout: 60_000 });
    killSleepers();
    rmSync(home, { recursive: true, force: true });
  }
  return { start, stop };
}

/** supervisord: start = `supervisorctl start s0 … s99`; stop = `supervisorctl stop all`. */
async function supervisordRounds(rounds) {
  const dir = mkdtempSync(join(tmpdir(), 'procd-bench-sv-'));
  const conf = join(dir, 'supervisord.conf');
  const programs = Array.from({ length: N }, (_, i) => `[program:s${i}]\ncommand=sleep ${ARG}\nautostart=false\nautorestart=false\nstartsecs=0\n`).join('\n');
  writeFileSync(
    conf,
    `[unix_http_server]\nfile=${dir}/sv.sock\n\n[supervisord]\npidfile=${dir}/sv.pid\nlogfile=${dir}/sv.log\nchildlogdir=${dir}\nnodaemon=false\n\n` +
      `[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n[supervisorctl]\nserverurl=unix://${dir}/sv.sock\n\n${programs}`,
  );
  const ctl = (args) => run('supervisorctl', ['-c', conf, ...args]).catch((err) => {
    if (err.code !== 3) throw err; // 3: some program is not running, which is the point of stopping
  });
  const start = [];
  const stop = [];
  try {
    execFileSync('supervisord', ['-c', conf], { stdio: 'ignore' });
    const deadline = Date.now() + 20_000;
    while (spawnSync('supervisorctl', ['-c', conf, 'pid']).status !== 0) {
      if (Date.now() > deadline) throw new Error('supervisord did not start');
      await delay(50);
    }
    const names = Array.from({ length: N }, (_, i) => `s${i}`);
    for (let r = 0; r < rounds; r++) {
      start.push(await timePhase(() => ctl(['start', ...names]), (n) => n === N));
      stop.push(await timePhase(() => ctl(['stop', 'all']), (n) => n === 0));
    }
  } finally {
    spawnSync('supervisorctl', ['-c', conf, 'shutdown'], { stdio: 'ignore', timeout: 30_000 });
    try {
      process.kill(Number(readFileSync(join(dir, 'sv.pid'), 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
    killSleepers();
    rmSync(dir, { recursive: true, force: true });
  }
  return { start, stop };
}

/** pm2@7 in a temporary prefix, or PROCD_BENCH_PM2_DIR when it already holds one. */
export function installPm2() {
  const given = process.env.PROCD_BENCH_PM2_DIR;
  if (given && existsSync(join(given, 'node_modules/.bin/pm2'))) return { dir: given, owned: false };
  const dir = mkdtempSync(join(tmpdir(), 'procd-bench-pm2-'));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, 'pm2@7'], { stdio: 'ignore', timeout: 300_000 });
  return { dir, owned: true };
}

const haveSupervisord = () => spawnSync('supervisord', ['--version']).status === 0;

/** Runs every tool's rounds; returns tool → { start: ms[], stop: ms[] } (or { error }). */
export async function measurePeers100(withDaemon, rounds) {
  if (sleepers().length) throw new Error(`${sleepers().length} \`sleep ${ARG}\` processes already run: end them first`);
  const out = {};
  const attempt = async (name, fn) => {
    try {
      out[name] = await fn();
    } catch (err) {
      out[name] = { error: String(err?.message ?? err) };
      killSleepers();
    }
  };
  // PROCD_BENCH_TOOLS=procd (or procd,pm2 …) runs only those, e.g. to compare two procd builds.
  const tools = (process.env.PROCD_BENCH_TOOLS ?? 'procd,pm2,supervisord').split(',');
  if (tools.includes('procd')) await attempt('procd', () => procdRounds(withDaemon, rounds));
  let pm2 = null;
  if (tools.includes('pm2')) {
    await attempt('pm2', async () => {
      pm2 = installPm2();
      return pm2Rounds(pm2.dir, rounds);
    });
  }
  if (pm2?.owned) rmSync(pm2.dir, { recursive: true, force: true });
  if (!tools.includes('supervisord')) return out;
  if (haveSupervisord()) await attempt('supervisord', () => supervisordRounds(rounds));
  else out.supervisord = { error: 'not installed (Debian: apt-get install supervisor)' };
  return out;
}
