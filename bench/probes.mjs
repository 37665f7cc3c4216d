// Issue 12: what probes cost the daemon. 100 running `sleep` jobs, first without probes, then
// (in the same daemon, the first 100 killed) 100 with an `http` liveness probe every 2 s against
// one local HTTP server run by this process; the daemon's CPU over the same window each time, so
// the difference is the probes' share of a core. The server counts the checks it answered.

import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

const cpuTicks = (pid) => {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
};

/** The daemon's CPU (% of one core) over `ms`. */
async function daemonCpu(pid, ms) {
  const a = cpuTicks(pid);
  const t = performance.now();
  await delay(ms);
  return ((cpuTicks(pid) - a) / 100 / ((performance.now() - t) / 1000)) * 100;
}

async function startJobs(client, n, extra) {
  const ids = [];
  for (let i = 0; i < n; i += 10) {
    const batch = await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => client.track({ argv: ['sleep', '3600'], cwd: '/', env: { PATH: process.env.PATH }, ...extra })));
    ids.push(...batch.map((j) => j.id));
  }
  return ids;
}

/** Rows for run.mjs's record(): [name, value, unit, target, met, note]. */
export async function benchProbes(withDaemon, rounds, windowMs) {
  let answered = 0;
  const server = createServer((req, res) => {
    answered++;
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/health`;
  try {
    return await withDaemon({ PROCD_STUCK_AFTER: '0' }, async ({ client }) => {
      const pid = client.daemon.pid;
      const plain = [];
      const probed = [];
      let checksPerSecond = 0;
      for (let round = 0; round < rounds; round++) {
        const a = await startJobs(client, 100, {});
        await delay(3000);
        plain.push(await daemonCpu(pid, windowMs));
        await client.kill({ jobs: a });
        const b = await startJobs(client, 100, { probes: { alive: { when: `http=${url}`, intervalMs: 2000 } } });
        await delay(3000);
        const before = answered;
        const t = performance.now();
        probed.push(await daemonCpu(pid, windowMs));
        checksPerSecond = (answered - before) / ((performance.now() - t) / 1000);
        const st = await client.status({ job: b[0] });
        if (st.probes?.liveness?.last?.ok !== true) throw new Error(`the probe does not pass: ${JSON.stringify(st.probes)}`);
        await client.kill({ jobs: b });
      }
      const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      const cost = median(probed) - median(plain);
      const fmt = (xs) => xs.map((x) => x.toFixed(2)).join('/');
      return [
        ['daemon CPU, 100 running jobs, no probes', Number(median(plain).toFixed(2)), '% of one core', '', null, `median of ${rounds} (${fmt(plain)}), ${windowMs / 1000} s windows`],
        ['daemon CPU, 100 running jobs with an http probe every 2 s', Number(median(probed).toFixed(2)), '% of one core', '', null, `median of ${rounds} (${fmt(probed)}); ${checksPerSecond.toFixed(1)} checks/s answered`],
        ['probes: 100 http probes every 2 s cost', Number(cost.toFixed(2)), '% of one core', 'measured and reported', true, `${(cost / 100 * 1000 / Math.max(1, checksPerSecond)).toFixed(2)} ms of daemon CPU per check`],
      ];
    });
  } finally {
    server.close();
  }
}
