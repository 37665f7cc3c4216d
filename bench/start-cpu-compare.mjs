// CPU per "start 100 jobs", two (or more) builds side by side in alternating rounds (so load
// swings on a shared machine hit each alike). Each build gets one warm daemon in a temporary home,
// kept for every round. Per round and build: 100 concurrent track() calls, timed until every call
// has returned and /proc shows all 100 `sleep` running (wall, as bench/peers100.mjs), and the CPU
// each kind of process used in that phase — the daemon (all its threads, /proc/PID/task/*/schedstat),
// its fork server, the 100 shims, the 100 jobs until exec'd `sleep` runs, and this client process.
// Then one kill() of the 100 (daemon CPU counted too) and a prune. Medians at the end.
// usage: node bench/start-cpu-compare.mjs ROUNDS REPO_A [REPO_B ...]   (each REPO a built checkout)

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { median } from './stats.mjs';

const N = 100;
const [roundsText, ...given] = process.argv.slice(2);
const rounds = Number(roundsText);
if (!Number.isInteger(rounds) || rounds < 1 || given.length < 1) throw new Error('usage: node bench/start-cpu-compare.mjs ROUNDS REPO_A [REPO_B ...]');
const repos = given.map((r) => resolve(r));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** ms on a CPU of every thread of the process (0 once it is gone). */
function cpuMs(pid) {
  let ns = 0;
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'latin1').split(' ')[0]);
      } catch {
        // thread ended mid-scan
      }
    }
  } catch {
    return 0;
  }
  return ns / 1e6;
}

/** [user, system] ms of the whole process (/proc/PID/stat utime, stime: clock ticks of 10 ms). */
function userSys(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [Number(f[11]) * 10, Number(f[12]) * 10];
  } catch {
    return [0, 0];
  }
}

/** Every process: pid, argv, environ test. */
function processes() {
  const out = [];
  for (const e of readdirSync('/proc')) {
    if (e.charCodeAt(0) > 57) continue;
    try {
      out.push({ pid: Number(e), argv: readFileSync(`/proc/${e}/cmdline`, 'latin1').split('\0').filter(Boolean), env: () => readFileSync(`/proc/${e}/environ`, 'latin1').split('\0') });
    } catch {
      // gone
    }
  }
  return out;
}

function sleepersOf(arg) {
  return processes().filter((p) => p.argv.length === 2 && p.argv[0] === 'sleep' && p.argv[1] === arg).map((p) => p.pid);
}

/** Processes started with PROCD_HOME=home (the daemon, its fork server, the shims). */
function marked(home) {
  return processes().filter((p) => {
    try {
      return p.pid !== process.pid && p.env().includes(`PROCD_HOME=${home}`);
    } catch {
      return false;
    }
  });
}

async function startDaemon(repo, index) {
  const { connect } = await import(join(repo, 'dist/client/index.js'));
  const { resolvePaths } = await import(join(repo, 'dist/shared/paths.js'));
  const home = mkdtempSync(join(tmpdir(), 'procd-startcpu-'));
  const env = { ...process.env, PROCD_HOME: home };
  delete env.PROCD_SOCKET;
  const child = spawn(process.execPath, [join(repo, 'dist/daemon/main.js')], { env, stdio: 'ignore', detached: true });
  child.unref();
  let client = null;
  for (let i = 0; i < 200 && !client; i++) {
    try {
      client = await connect({ paths: resolvePaths(env), autostart: false, callTimeoutMs: 120_000 });
    } catch {
      await delay(50);
    }
  }
  if (!client) throw new Error(`the daemon of ${repo} did not answer`);
  await client.daemonStatus({});
  const arg = String(413500 + index);
  return { repo, home, client, daemonPid: child.pid, arg, res: { wall: [], daemon: [], daemonUser: [], daemonSys: [], server: [], shims: [], jobs: [], client: [], killWall: [], killDaemon: [] } };
}

async function round(d) {
  const procs = marked(d.home);
  const server = procs.find((p) => p.argv.includes('--serve'))?.pid ?? null;
  const before = { us: userSys(d.daemonPid), daemon: cpuMs(d.daemonPid), server: server ? cpuMs(server) : 0, shims: new Set(procs.map((p) => p.pid)), client: process.cpuUsage() };
  const env = { PATH: process.env.PATH };
  const t0 = performance.now();
  let ids = null;
  const calls = Promise.all(Array.from({ length: N }, () => d.client.track({ argv: ['sleep', d.arg], cwd: '/', env }))).then((jobs) => (ids = jobs.map((j) => j.id)));
  let sleeping = [];
  for (const deadline = Date.now() + 60_000; !(ids && (sleeping = sleepersOf(d.arg)).length === N); ) {
    if (Date.now() > deadline) throw new Error(`start did not finish (${sleeping.length} running)`);
    await Promise.race([calls, delay(5)]);
  }
  const wall = performance.now() - t0;
  const c = process.cpuUsage(before.client);
  const shims = marked(d.home).filter((p) => !before.shims.has(p.pid));
  d.res.wall.push(wall);
  d.res.daemon.push(cpuMs(d.daemonPid) - before.daemon);
  const us = userSys(d.daemonPid);
  d.res.daemonUser.push(us[0] - before.us[0]);
  d.res.daemonSys.push(us[1] - before.us[1]);
  d.res.server.push(server ? cpuMs(server) - before.server : 0);
  d.res.shims.push(shims.reduce((s, p) => s + cpuMs(p.pid), 0));
  d.res.jobs.push(sleeping.reduce((s, pid) => s + cpuMs(pid), 0));
  d.res.client.push((c.user + c.system) / 1000);
  const k0 = performance.now();
  const kd = cpuMs(d.daemonPid);
  await d.client.kill({ jobs: ids }, { timeoutMs: 120_000 });
  while (sleepersOf(d.arg).length) await delay(5);
  d.res.killWall.push(performance.now() - k0);
  d.res.killDaemon.push(cpuMs(d.daemonPid) - kd);
  await d.client.prune({});
  await delay(300); // let the monitor's tick and the prune's writes settle before the next build's round
}

const daemons = [];
try {
  for (const [i, repo] of repos.entries()) daemons.push(await startDaemon(repo, i));
  // One warm-up round each (first-call JIT, file creation), not counted.
  for (const d of daemons) {
    await round(d);
    for (const xs of Object.values(d.res)) xs.length = 0;
  }
  for (let r = 0; r < rounds; r++) {
    // Alternate which build goes first.
    const order = r % 2 ? [...daemons].reverse() : daemons;
    for (const d of order) {
      await round(d);
      const x = d.res;
      const f = (xs) => Math.round(xs.at(-1));
      console.log(`round ${r + 1} ${d.repo}: wall ${f(x.wall)} ms; CPU daemon ${f(x.daemon)} (u ${f(x.daemonUser)} s ${f(x.daemonSys)}) fork-server ${f(x.server)} shims ${f(x.shims)} jobs ${f(x.jobs)} client ${f(x.client)} ms; kill wall ${f(x.killWall)} daemon ${f(x.killDaemon)} ms; load ${load()}`);
    }
  }
  for (const d of daemons) {
    const m = (xs) => Math.round(median(xs));
    const x = d.res;
    console.log(`${d.repo}: medians over ${x.wall.length} rounds: start 100 wall ${m(x.wall)} ms; CPU daemon ${m(x.daemon)} ms (user ${m(x.daemonUser)}, sys ${m(x.daemonSys)}), fork server ${m(x.server)}, shims ${m(x.shims)}, jobs until exec ${m(x.jobs)}, client ${m(x.client)}; kill 100 wall ${m(x.killWall)} ms, daemon CPU ${m(x.killDaemon)} ms`);
  }
} finally {
  for (const d of daemons) {
    try {
      await d.client.daemonStop({});
    } catch {
      // gone already
    }
    d.client.close();
  }
  await delay(300);
  for (const d of daemons) {
    for (const pid of [...sleepersOf(d.arg), ...marked(d.home).map((p) => p.pid)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(d.home, { recursive: true, force: true });
  }
}
