#!/usr/bin/env node
// procd benchmarks (not part of the test suite): `npm run bench` [-- --quick] [-- --only NAME,...]
// (e.g. `--only start100,stop100`: 100 jobs started / stopped, side by side with pm2 and supervisord).
// Each benchmark starts its own daemon in a temporary PROCD_HOME and stops it (and every job)
// afterwards. Prints a Markdown table and writes bench/results.json. Figures are medians over
// repeated runs where the measurement is short; the machine is shared and noisy.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { median } from './stats.mjs';

const REPO = resolve(import.meta.dirname, '..');
const CLI = join(REPO, 'dist/client/cli/main.js');
const { measurePeers100, procdRounds } = await import('./peers100.mjs');
const { measureProjectUp } = await import('./project-up.mjs');
const { withDaemon } = await import('./with-daemon.mjs');
const { installPm2 } = await import('./peer-tools.mjs');

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : null;
const results = [];

function record(name, value, unit, target = '', met = null, note = '') {
  results.push({ name, value, unit, target, met, note });
  console.error(`  ${name}: ${value} ${unit}${target ? ` (target ${target}: ${met ? 'met' : 'NOT met'})` : ''}${note ? ` — ${note}` : ''}`);
}

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x, d = 2) => Number(x.toFixed(d));

function procStat(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { cpuTicks: Number(f[11]) + Number(f[12]) };
}
function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function startJobs(client, n, argv, concurrency = 8) {
  const ids = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const job = await client.track({ argv, cwd: '/', env: { PATH: process.env.PATH, PROCD_HOME: process.env.PROCD_HOME } });
        ids.push(job.id);
      }
    }),
  );
  return ids;
}

// ---- benchmarks ------------------------------------------------------------------------------

// start100 and stop100 come from the same rounds (start, then stop, per round), measured once.
let peers100 = null;
const peers = () => (peers100 ??= measurePeers100(withDaemon, QUICK ? 3 : 5));

/** Records one figure of the 100-job comparison: procd's median, the peers' medians and ratios in the note. */
async function recordPeers100(phase, name, target, budgetMs, measured = peers) {
  const all = await measured();
  const med = (tool) => (all[tool]?.[phase] ? median(all[tool][phase]) : null);
  const procd = med('procd');
  if (procd === null) throw new Error(`procd: ${all.procd?.error}`);
  const rounds = all.procd[phase].length;
  const peerNotes = ['pm2', 'supervisord'].map((tool) => {
    const m = med(tool);
    return m === null ? `${tool}: ${all[tool]?.error ?? 'not run'}` : `${tool} ${round(m / 1000, 2)} s (${round(m / procd, 1)}× procd)`;
  });
  const spread = all.procd[phase].map((x) => round(x / 1000, 2)).join('/');
  record(name, round(procd / 1000, 2), 's', target, procd <= budgetMs, `median of ${rounds} rounds (${spread}); ${peerNotes.join('; ')}`);
  for (const tool of ['pm2', 'supervisord']) {
    const m = med(tool);
    if (m !== null) record(`${name} — ${tool}`, round(m / 1000, 2), 's', '', null, `median of ${all[tool][phase].length} rounds (${all[tool][phase].map((x) => round(x / 1000, 2)).join('/')})`);
  }
}

// up100 and down100 come from the same rounds (procd up, then procd down, per round).
let projectUp = null;
const projectRounds = () => (projectUp ??= measureProjectUp(withDaemon, QUICK ? 3 : 5));

const benches = {
  async up100() {
    await recordPeers100('start', '`procd up` of a 100-entry procd.yaml until all 100 run (the CLI, start-up included; pm2: `pm2 start ecosystem.config.js`; supervisord: supervisorctl start of 100 programs)', '≤ 0.5 s', 500, projectRounds);
  },

  async down100() {
    await recordPeers100('stop', '`procd down` of those 100 until none is left (pm2 delete all; supervisorctl stop all)', '≤ 0.4 s', 400, projectRounds);
  },

  async start100() {
    await recordPeers100('start', 'start 100 jobs until all 100 run (100 concurrent library calls; pm2: one ecosystem file; supervisord: supervisorctl start by name)', '≤ 0.4 s (native shim, issue 10)', 400);
  },

  async stop100() {
    await recordPeers100('stop', 'stop 100 running jobs in one call until none is left (procd kill; pm2 delete all; supervisorctl stop all)', '≤ 0.4 s', 400);
  },

  // Issue 8's start-100 target is for the Perl shim: the same rounds as start100 with PROCD_SHIM=perl.
  async start100perl() {
    const r = await procdRounds(withDaemon, QUICK ? 3 : 5, { PROCD_SHIM: 'perl' });
    if (r.daemon.shim !== 'perl') throw new Error(`the daemon ran the ${r.daemon.shim} shim: ${r.daemon.shimWhy}`);
    const m = median(r.start);
    const peerNote = peers100 ? ` (pm2 and supervisord: see start100, same run)` : '';
    record('start 100 jobs until all 100 run, Perl shim (PROCD_SHIM=perl; 100 concurrent library calls)', round(m / 1000, 2), 's', '≤ 1.5 s (perl shim)', m <= 1500,
      `median of ${r.start.length} rounds (${r.start.map((x) => round(x / 1000, 2)).join('/')}); ${r.daemon.containment} containment${peerNote}`);
  },

  // What the fork server gains: start 100 with and without it (PROCD_FORK_SERVER=off), alternating
  // round by round so load swings hit both alike; native shim, then Perl.
  async forkServer() {
    for (const shim of ['native', 'perl']) {
      const xs = { on: [], off: [] };
      for (let round_ = 0; round_ < (QUICK ? 2 : 3); round_++) {
        for (const mode of ['on', 'off']) {
          const r = await procdRounds(withDaemon, 1, { PROCD_SHIM: shim, PROCD_FORK_SERVER: mode });
          xs[mode].push(...r.start);
        }
      }
      const on = median(xs.on);
      const off = median(xs.off);
      record(`start 100 jobs (${shim} shim), fork server on vs PROCD_FORK_SERVER=off`, round(on / 1000, 2), 's', '', null,
        `${round(off / on, 2)}× faster than without (${round(off / 1000, 2)} s); rounds on ${xs.on.map((x) => round(x / 1000, 2)).join('/')}, off ${xs.off.map((x) => round(x / 1000, 2)).join('/')}`);
    }
  },

  // What a cgroup per job costs: start 100 / stop 100 with PROCD_CONTAINMENT=cgroup, then pgroup.
  async containment() {
    const by = {};
    for (const kind of ['cgroup', 'pgroup']) {
      const r = await procdRounds(withDaemon, QUICK ? 3 : 5, { PROCD_CONTAINMENT: kind });
      if (r.daemon.containment !== kind) {
        record(`start/stop 100 with PROCD_CONTAINMENT=${kind}`, 'not measured', '', '', null, `the daemon used ${r.daemon.containment}: ${r.daemon.containmentWhy}`);
        continue;
      }
      by[kind] = r;
    }
    for (const phase of ['start', 'stop']) {
      for (const kind of Object.keys(by)) {
        const xs = by[kind][phase];
        const other = kind === 'cgroup' && by.pgroup ? `; ${round(median(xs) / median(by.pgroup[phase]), 2)}× pgroup` : '';
        record(`${phase} 100 jobs (native shim), PROCD_CONTAINMENT=${kind}`, round(median(xs) / 1000, 2), 's', '', null, `median of ${xs.length} rounds (${xs.map((x) => round(x / 1000, 2)).join('/')})${other}`);
      }
    }
  },

  // Issue 10's memory figures beside pm2 and supervisord (bench/peers-memory.mjs).
  async mem100() {
    for (const row of await (await import('./peers-memory.mjs')).benchMemory100(withDaemon, QUICK ? 1 : 3)) record(...row);
  },

  async mem1000() {
    for (const row of await (await import('./peers-memory.mjs')).benchMemory1000(withDaemon, QUICK ? 1 : 3)) record(...row);
  },

  // Issue 12: the daemon's CPU with 100 http probes every 2 s vs none (bench/probes.mjs).
  async probes100() {
    for (const row of await (await import('./probes.mjs')).benchProbes(withDaemon, QUICK ? 1 : 3, QUICK ? 10_000 : 20_000)) record(...row);
  },

  // 200 MB into the log vs a plain redirect, byte-exact, beside pm2 and supervisord (bench/peers-output.mjs).
  async outputPeers() {
    for (const row of await (await import('./peers-output.mjs')).benchOutputPeers(withDaemon, QUICK ? 1 : 5)) record(...row);
  },

  async rpc() {
    await withDaemon({}, async ({ client }) => {
      const job = await client.track({ argv: ['sleep', '600'], cwd: '/' });
      for (let i = 0; i < 2000; i++) await client.status({ job: job.id }); // warm up
      const n = QUICK ? 5000 : 20000;
      const times = new Array(n);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const s = performance.now();
        await client.status({ job: job.id });
        times[i] = performance.now() - s;
      }
      const seqRate = n / ((performance.now() - t0) / 1000);
      const p50 = median(times);
      record('RPC status round trip p50', round(p50, 3), 'ms', '< 0.3 ms', p50 < 0.3);
      record('RPC status round trip p99', round(pct(times, 99), 3), 'ms');
      record('RPC status calls/s, sequential', Math.round(seqRate), 'calls/s');
      const inflight = 50;
      const t1 = performance.now();
      let done = 0;
      await Promise.all(Array.from({ length: inflight }, async () => {
        while (done < n) {
          done++;
          await client.status({ job: job.id });
        }
      }));
      record('RPC status calls/s, 50 in flight', Math.round(n / ((performance.now() - t1) / 1000)), 'calls/s');
    });
  },

  async ls() {
    await withDaemon({}, async ({ client, env }) => {
      await startJobs(client, 50, ['sleep', '600']);
      const finished = await startJobs(client, 50, ['true']);
      await client.wait({ jobs: finished });
      const runs = QUICK ? 10 : 21;
      const time = (cmd, a) => {
        const xs = [];
        for (let i = 0; i < runs; i++) {
          const t = performance.now();
          const r = spawnSync(cmd, a, { env, stdio: ['ignore', 'pipe', 'pipe'] });
          xs.push(performance.now() - t);
          if (r.status !== 0) throw new Error(`${a.join(' ')} failed: ${r.stderr}`);
        }
        return median(xs);
      };
      const base = time(process.execPath, ['-e', '0']);
      const ls = time(process.execPath, [CLI, 'ls', '--all']);
      record('`procd ls` with 100 jobs, whole process (median)', round(ls, 1), 'ms', '< 80 ms', ls < 80, `node -e 0: ${round(base, 1)} ms`);
    });
  },

  // CLI start-up ratios to `node -e 0` (ls, status, track): bench/cli-startup.mjs.
  async cliStartup() {
    for (const row of await (await import('./cli-startup.mjs')).benchCliStartup({ runs: QUICK ? 10 : 21 })) record(...row);
  },

  // The daemon's cold start until its socket answers, beside pm2 and supervisord: bench/daemon-start.mjs.
  async daemonStart() {
    for (const row of await (await import('./daemon-start.mjs')).benchDaemonStart({ runs: QUICK ? 5 : 11 })) record(...row);
  },

  async memory() {
    await withDaemon({ PROCD_SAMPLE_INTERVAL: '2s' }, async ({ client }) => {
      const pid = client.daemon.pid;
      await delay(1500);
      record('daemon RSS, 0 jobs', round(rssMiB(pid), 1), 'MiB');
      const running = await startJobs(client, 50, ['sleep', '600']);
      const fin = await startJobs(client, 50, ['true']);
      await client.wait({ jobs: fin });
      await delay(2500);
      record('daemon RSS, 100 jobs (50 running + 50 finished)', round(rssMiB(pid), 1), 'MiB');
      const more = QUICK ? 300 : 850;
      const running2 = await startJobs(client, 50, ['sleep', '600']);
      const fin2 = await startJobs(client, more, ['true']);
      await client.wait({ jobs: fin2 });
      await delay(2500);
      const total = 100 + 50 + more;
      const rss = rssMiB(pid);
      record(`daemon RSS, ${total} jobs (100 running + ${total - 100} finished), right after starting them`, round(rss, 1), 'MiB', total >= 1000 ? '< 120 MiB' : '', total >= 1000 ? rss < 120 : null);
      // V8 keeps the heap it grew during the burst of starts until its memory reducer runs (idle
      // for a while): the figure a long-running daemon shows is the settled one.
      let settled = rss;
      for (let waited = 0; waited < (QUICK ? 20_000 : 60_000); waited += 5000) {
        await delay(5000);
        settled = Math.min(settled, rssMiB(pid));
      }
      record(`daemon RSS, ${total} jobs, settled (sampling every 2s, ${QUICK ? 20 : 60}s later)`, round(settled, 1), 'MiB', total >= 1000 ? '< 120 MiB' : '', total >= 1000 ? settled < 120 : null);
      void running;
      void running2;
    });
  },

  async startKill() {
    await withDaemon({}, async ({ client }) => {
      const t0 = performance.now();
      const ids = await startJobs(client, 100, ['sleep', '600'], 1);
      const startMs = performance.now() - t0;
      record('start 100 jobs, one after another', Math.round(startMs), 'ms', '', null, `${round(startMs / 100, 1)} ms per job, shim included`);
      const t1 = performance.now();
      await client.kill({ jobs: ids }, { timeoutMs: 120_000 });
      record('kill 100 running jobs (one kill call)', Math.round(performance.now() - t1), 'ms');
      // shim cost per job
    });
  },

  async shimCost() {
    await withDaemon({}, async ({ client }) => {
      const job = await client.track({ argv: ['sleep', '600'], cwd: '/' });
      await delay(500);
      const st = await client.status({ job: job.id });
      const shim = st.state.shimPid;
      // RSS counts perl's shared pages in every shim; PSS splits them among the shims.
      const pss = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${shim}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) / 1024;
      record('shim RSS per job (idle child)', round(rssMiB(shim), 1), 'MiB', '', null, `PSS ${round(pss, 1)} MiB`);
    });
  },

  async killTree() {
    await withDaemon({}, async ({ client }) => {
      const script = 'for i in $(seq 1 49); do sleep 600 & done; wait';
      const job = await client.track({ shell: script, cwd: '/' });
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const s = await client.status({ job: job.id, tree: true });
        if ((s.tree ?? []).length >= 50) break;
        await delay(50);
      }
      const grace = 1000;
      const t = performance.now();
      const [r] = await client.kill({ jobs: [job.id], graceMs: grace });
      const ms = performance.now() - t;
      // Zombies waiting for PID 1 to reap them are dead: only count live processes.
      const left = ((await client.status({ job: job.id, tree: true })).tree ?? []).filter((p) => p.state !== 'Z' && p.state !== 'X').length;
      record('kill a 50-process tree', Math.round(ms), 'ms', `< grace (${grace}) + 100 ms`, ms < grace + 100, `${r.signalled.length} signalled, ${r.forced.length} forced, ${left} left`);
    });
  },

  async output() {
    await withDaemon({}, async ({ client }) => {
      const size = 200_000_000;
      const t = performance.now();
      const job = await client.track({ argv: [process.execPath, join(REPO, 'test/fixtures/pattern.mjs'), String(size)], cwd: '/', maxOutputBytes: 256 << 20 });
      const [done] = (await client.wait({ jobs: [job.id] }, { timeoutMs: null })).jobs;
      const ms = performance.now() - t;
      const dd = performance.now();
      execFileSync(process.execPath, [join(REPO, 'test/fixtures/pattern.mjs'), String(size)], { stdio: ['ignore', 'ignore', 'ignore'] });
      const bare = performance.now() - dd;
      record('200 MB from one child captured', round(size / 1e6 / (ms / 1000), 0), 'MB/s', 'nothing lost', done.output.stdoutBytes === size, `${done.output.stdoutBytes} bytes kept; the same child writing to /dev/null runs at ${round(size / 1e6 / (bare / 1000), 0)} MB/s`);
    });
  },

  async sampling() {
    const intervals = QUICK ? ['1s'] : ['1s', '2s', '5s'];
    const counts = QUICK ? [10, 100] : [10, 100, 500];
    for (const interval of intervals) {
      await withDaemon({ PROCD_SAMPLE_INTERVAL: interval, PROCD_STUCK_AFTER: '0' }, async ({ client }) => {
        const pid = client.daemon.pid;
        let have = 0;
        for (const n of counts) {
          await startJobs(client, n - have, ['sleep', '3600']);
          have = n;
          await delay(3000); // let start-up work settle
          const window = Math.max(10_000, 3 * Number.parseInt(interval) * 1000);
          const a = procStat(pid).cpuTicks;
          const t = performance.now();
          await delay(window);
          const cpu = ((procStat(pid).cpuTicks - a) / 100 / ((performance.now() - t) / 1000)) * 100;
          const st = await client.daemonStatus();
          const target = interval === '1s' && n === 100 ? '≈ 1% of a core' : '';
          record(`sampling cost, ${n} running jobs every ${interval}`, round(cpu, 2), '% of one core', target, target ? cpu <= 1.5 : null, `last tick ${st.monitor.lastTickMs} ms`);
        }
      });
    }
  },

  // pm2 for comparison: installed into a temporary directory (never a dependency), N `sleep`
  // processes from one ecosystem file, then the CPU its God daemon uses over the same window.
  // pm2 does not sample continuously (its worker checks memory limits every 30 s; pidusage runs
  // when a client asks), so the like-for-like figure is the supervisor's steady-state cost.
  async pm2() {
    const installed = installPm2();
    const dir = mkdtempSync(join(tmpdir(), 'procd-bench-pm2home-'));
    const env = { ...process.env, PM2_HOME: join(dir, '.pm2'), HOME: dir };
    try {
      const pm2 = join(installed.dir, 'node_modules/.bin/pm2');
      let have = 0;
      for (const n of QUICK ? [10, 100] : [10, 100, 500]) {
        const apps = Array.from({ length: n - have }, (_, i) => ({ name: `s${have + i}`, script: 'sleep', args: '3600', interpreter: 'none', autorestart: false }));
        writeFileSync(join(dir, `eco-${n}.json`), JSON.stringify({ apps }));
        execFileSync(pm2, ['start', join(dir, `eco-${n}.json`)], { env, stdio: 'ignore', timeout: 300_000 });
        have = n;
        const pid = Number(readFileSync(join(dir, '.pm2/pm2.pid'), 'utf8'));
        await delay(3000);
        const a = procStat(pid).cpuTicks;
        const t = performance.now();
        await delay(10_000);
        const cpu = ((procStat(pid).cpuTicks - a) / 100 / ((performance.now() - t) / 1000)) * 100;
        record(`pm2 God daemon CPU, ${n} processes (no client attached)`, round(cpu, 2), '% of one core', '', null, `RSS ${round(rssMiB(pid), 1)} MiB`);
      }
    } finally {
      spawnSync(join(installed.dir, 'node_modules/.bin/pm2'), ['kill'], { env, stdio: 'ignore', timeout: 60_000 });
      rmSync(dir, { recursive: true, force: true });
      if (installed.owned) rmSync(installed.dir, { recursive: true, force: true });
    }
  },
};

console.error(`procd benchmarks on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${round(totalmem() / 2 ** 30, 1)} GiB, node ${process.version}${QUICK ? ' (quick)' : ''}`);
for (const [name, fn] of Object.entries(benches)) {
  if (ONLY && !ONLY.includes(name)) continue;
  console.error(`- ${name}`);
  try {
    await fn();
  } catch (err) {
    record(name, 'failed', '', '', false, String(err?.message ?? err));
  }
}
const machine = { cpus: cpus().length, model: cpus()[0]?.model, memGiB: round(totalmem() / 2 ** 30, 1), node: process.version, date: new Date().toISOString() };
// A partial run (--only, --quick) must not replace the record of a full one.
if (!ONLY && !QUICK) writeFileSync(join(REPO, 'bench/results.json'), `${JSON.stringify({ machine, results }, null, 2)}\n`);
console.log(`| measure | figure | target | met |\n|---|---|---|---|`);
for (const r of results) console.log(`| ${r.name}${r.note ? ` (${r.note})` : ''} | ${r.value} ${r.unit} | ${r.target} | ${r.met === null ? '' : r.met ? 'yes' : 'no'} |`);
process.exit(0);
