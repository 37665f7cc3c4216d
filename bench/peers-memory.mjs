// Memory of supervising N running `sleep` jobs, side by side in one run: procd (its daemon plus
// one shim per job, native and Perl), pm2 (its God daemon) and supervisord (its one Python
// process). What is measured for every tool is the same: the daemon, plus each distinct parent
// of the jobs that is not the daemon (procd's shims; pm2 and supervisord fork the jobs
// themselves, so they have none). PSS (shared pages split among the processes mapping them) is
// the honest sum; RSS is given as well because it is what `ps` shows. The jobs' own `sleep`
// processes are the same for every tool and not counted. Each tool gets a fresh daemon per round,
// measured before any job (so that the per-job figure is (all with N − daemon with none) / N)
// and 2 s after all N run; rounds interleave the tools, figures are medians.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ARG, killSleepers, memOf, ppid, run, sleepers, untilSleepers, withPm2, withSupervisord } from './peer-tools.mjs';
import { median } from './stats.mjs';

const SETTLE_MS = 2000;
const r1 = (x) => Number(x.toFixed(1));
const r3 = (x) => Number(x.toFixed(3));

/** The daemon and the jobs' other parents (shims), with their PSS and RSS summed, in MiB. */
function overhead(daemonPid) {
  const parents = new Set(sleepers().map(ppid));
  parents.delete(daemonPid);
  const helpers = { count: 0, pss: 0, rss: 0 };
  for (const pid of parents) {
    const m = memOf(pid);
    helpers.count++;
    helpers.pss += m.pss;
    helpers.rss += m.rss;
  }
  const daemon = memOf(daemonPid);
  return { daemon, helpers, pss: daemon.pss + helpers.pss, rss: daemon.rss + helpers.rss };
}

/** track() n jobs, `inFlight` calls at a time; returns their ids. */
async function trackMany(client, n, env, inFlight = 100) {
  const ids = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, inFlight) }, async () => {
      while (next < n) {
        next++;
        ids.push((await client.track({ argv: ['sleep', ARG], cwd: '/', env })).id);
      }
    }),
  );
  return ids;
}

async function procd(withDaemon, shim, n) {
  return withDaemon({ PROCD_SHIM: shim }, async ({ client, home }) => {
    const st = await client.daemonStatus({});
    if (st.shim.kind !== shim) throw new Error(`asked for the ${shim} shim, the daemon runs the ${st.shim.kind} one: ${st.shim.why}`);
    await delay(1000);
    const before = memOf(st.pid);
    const ids = await trackMany(client, n, { PATH: process.env.PATH, PROCD_HOME: home });
    await untilSleepers((k) => k === n, `${n} procd jobs running`);
    await delay(SETTLE_MS);
    const m = overhead(st.pid);
    await client.kill({ jobs: ids }, { timeoutMs: 300_000 });
    await untilSleepers((k) => k === 0, 'procd jobs gone');
    return { ...m, before };
  });
}

async function pm2(n) {
  return withPm2(async ({ pm2: bin, env, home, daemonPid }) => {
    await delay(1000);
    const before = memOf(daemonPid);
    const eco = join(home, 'eco.config.js');
    const apps = Array.from({ length: n }, (_, i) => ({ name: `m${i}`, script: 'sleep', args: ARG, interpreter: 'none', autorestart: false }));
    writeFileSync(eco, `module.exports = ${JSON.stringify({ apps })};\n`);
    await run(bin, ['start', eco], { env });
    await untilSleepers((k) => k === n, `${n} pm2 processes running`);
    await delay(SETTLE_MS);
    const m = overhead(daemonPid);
    await run(bin, ['delete', 'all'], { env });
    await untilSleepers((k) => k === 0, 'pm2 processes gone');
    return { ...m, before };
  });
}

async function supervisord(n) {
  // Default logging (stdout_logfile=AUTO): supervisord keeps each program's output, like procd.
  const programs = Array.from({ length: n }, (_, i) => `[program:m${i}]\ncommand=sleep ${ARG}\nautostart=false\nautorestart=false\nstartsecs=0\n`).join('\n');
  return withSupervisord(programs, async ({ ctl, daemonPid }) => {
    await delay(1000);
    const before = memOf(daemonPid);
    await ctl(['start', 'all']);
    await untilSleepers((k) => k === n, `${n} supervisord programs running`);
    await delay(SETTLE_MS);
    const m = overhead(daemonPid);
    await ctl(['stop', 'all']);
    await untilSleepers((k) => k === 0, 'supervisord programs gone');
    return { ...m, before };
  });
}

async function rounds(count, tools) {
  if (sleepers().length) throw new Error(`${sleepers().length} \`sleep ${ARG}\` processes already run: end them first`);
  const out = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  const errors = {};
  for (let r = 0; r < count; r++) {
    for (const [name, fn] of Object.entries(tools)) {
      if (errors[name]) continue;
      try {
        out[name].push(await fn());
      } catch (err) {
        errors[name] = String(err?.message ?? err);
      } finally {
        killSleepers();
      }
    }
  }
  return { out, errors };
}

const TOOLS_100 = (withDaemon, n) => ({
  'procd, native shim': () => procd(withDaemon, 'native', n),
  'procd, Perl shim': () => procd(withDaemon, 'perl', n),
  pm2: () => pm2(n),
  supervisord: () => supervisord(n),
});

/** Rows for run.mjs's record(): per-job overhead and daemon + shims with 100 running jobs. */
export async function benchMemory100(withDaemon, roundCount) {
  const n = 100;
  const { out, errors } = await rounds(roundCount, TOOLS_100(withDaemon, n));
  const rows = [];
  const med = (name, f) => median(out[name].map(f));
  const pm2Pss = out.pm2.length ? med('pm2', (m) => m.pss) : null;
  for (const name of Object.keys(out)) {
    if (!out[name].length) {
      rows.push([`memory, ${n} running jobs — ${name}`, 'not measured', '', '', null, errors[name] ?? 'no round ran']);
      continue;
    }
    const total = med(name, (m) => m.pss);
    const perJob = med(name, (m) => (m.pss - m.before.pss) / n);
    const h = out[name][0].helpers.count;
    const list = out[name].map((m) => r1(m.pss)).join('/');
    const detail = `daemon PSS ${r1(med(name, (m) => m.daemon.pss))} MiB (RSS ${r1(med(name, (m) => m.daemon.rss))}), before any job PSS ${r1(med(name, (m) => m.before.pss))} MiB; ` +
      (h ? `${h} shims PSS ${r1(med(name, (m) => m.helpers.pss))} MiB (RSS ${r1(med(name, (m) => m.helpers.rss))} MiB summed)` : 'no process per job besides the job itself');
    const isProcd = name.startsWith('procd');
    const target = isProcd && pm2Pss !== null ? `below pm2's ${r1(pm2Pss)} MiB PSS` : '';
    // Node's pages are shared with every other node process on the machine, so a Node daemon's PSS
    // shrinks as more run: the pm2 figure was RSS, given beside it.
    const vsRss = isProcd && pm2Pss !== null ? `; pm2's RSS ${r1(med('pm2', (m) => m.rss))} MiB` : '';
    rows.push([`daemon + all shims, PSS, ${n} running \`sleep\` jobs — ${name}`, r1(total), 'MiB', target, target ? total < pm2Pss : null,
      `median of ${out[name].length} rounds (${list}); RSS ${r1(med(name, (m) => m.rss))} MiB; ${detail}${vsRss}`]);
    if (h) {
      const perShim = med(name, (m) => m.helpers.pss / m.helpers.count);
      const nativeTarget = name.includes('native');
      rows.push([`per-job overhead, PSS — ${name}: its shim`, r3(perShim), 'MiB', nativeTarget ? '≤ 0.2 MiB' : '', nativeTarget ? perShim <= 0.2 : null,
        `RSS ${r1(med(name, (m) => m.helpers.rss / m.helpers.count))} MiB per shim; with the daemon's growth, (all with ${n} − daemon with none) / ${n} = ${r3(perJob)} MiB`]);
    } else {
      rows.push([`per-job overhead, PSS — ${name}: in its daemon`, r3(perJob), 'MiB', '', null, `(daemon with ${n} − daemon with none) / ${n}, median of ${out[name].length} rounds`]);
    }
  }
  return rows;
}

/** Rows: daemon + all shims with 1,000 running jobs (native shim); target ≤ 300 MiB. */
export async function benchMemory1000(withDaemon, roundCount) {
  const n = 1000;
  const { out, errors } = await rounds(roundCount, { procd: () => procd(withDaemon, 'native', n) });
  if (!out.procd.length) return [[`daemon + all shims, PSS, ${n} running jobs (native shim)`, 'not measured', '', '≤ 300 MiB', false, errors.procd]];
  const total = median(out.procd.map((m) => m.pss));
  const med = (f) => r1(median(out.procd.map(f)));
  return [[`daemon + all shims, PSS, ${n} running \`sleep\` jobs (native shim)`, r1(total), 'MiB', '≤ 300 MiB', total <= 300,
    `median of ${out.procd.length} rounds (${out.procd.map((m) => r1(m.pss)).join('/')}); daemon PSS ${med((m) => m.daemon.pss)} MiB (RSS ${med((m) => m.daemon.rss)}) + ${out.procd[0].helpers.count} shims PSS ${med((m) => m.helpers.pss)} MiB; RSS in all ${med((m) => m.rss)} MiB` +
      (errors.procd ? `; a later round failed: ${errors.procd}` : '')]];
}
