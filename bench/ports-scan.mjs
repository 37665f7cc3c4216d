#!/usr/bin/env node
// What keeping running jobs' ports current costs per monitor tick (not part of the test suite; run
// after `npm run build`): `node bench/ports-scan.mjs [JOBS] [LISTENERS] [ROUNDS]`. Starts JOBS real
// processes, LISTENERS of them holding a listening TCP socket (perl, small) and the rest `sleep`,
// each one a running job, then times PortWatch.update (daemon/monitor/ports.ts) with one process
// snapshot per round, as the monitor's tick does: the steady state (nothing new: fd lists compared,
// no socket table read; the fd lists read by the sample's fd count or by the watch itself), and with every fd list re-read and every table read each round (what a
// naive scan would cost, and what the every-5-s refresh costs once). Prints ms per tick and how
// many table reads were done.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const dist = new URL('../dist/daemon/', import.meta.url);
const { JobTable } = await import(new URL('jobs/job-table.js', dist).href);
const { ProcessSnapshots } = await import(new URL('monitor/job-processes.js', dist).href);
const { PortWatch } = await import(new URL('monitor/ports.js', dist).href);
const { fdNamesIn } = await import(new URL('monitor/fd-names.js', dist).href);

const JOBS = Number(process.argv[2] ?? 100);
const LISTENERS = Number(process.argv[3] ?? 20);
const ROUNDS = Number(process.argv[4] ?? 200);
const quiet = () => {};

const LISTEN = 'use IO::Socket::INET; my $s = IO::Socket::INET->new(Listen => 5, LocalAddr => "127.0.0.1", LocalPort => 0) or die; sleep 3600';
const children = [];
for (let i = 0; i < JOBS; i++) children.push(i < LISTENERS ? spawn('perl', ['-e', LISTEN], { stdio: 'ignore' }) : spawn('sleep', ['3600'], { stdio: 'ignore' }));
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
await new Promise((r) => setTimeout(r, 1500)); // let them start and listen

const jobs = new Map();
children.forEach((c, i) => {
  const id = i + 1;
  const startTicks = Number(readFileSync(`/proc/${c.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19]);
  jobs.set(id, {
    id, name: `j${id}`, description: null, tags: [], createdAt: 0, pendingKill: null, flags: [], flagHistory: [], resources: null, dir: '/tmp',
    output: { stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null },
    spec: { command: { kind: 'adopted', argv: ['x'], leadsGroup: false }, kind: 'task', cwd: '/', env: {}, timeoutMs: null, expectMs: null, stuckAfterMs: 0, maxOutputBytes: 1 << 20, stopSignal: 'SIGTERM', stopGraceMs: null },
    state: { kind: 'running', startedAt: Date.now(), pid: c.pid, startTicks, shimPid: null },
  });
});
const table = new JobTable({ saveJob: quiet, removeJob: quiet, saveNextId: quiet, flush: async () => {} }, { jobs, nextId: JOBS + 1 });
const snapshots = new ProcessSnapshots('ports-bench', null);

async function measure(label, refreshMs, fdsReadBySample) {
  const watch = new PortWatch(table, quiet, { refreshMs });
  watch.update(await snapshots.take()); // the first look reads everything
  const reads0 = watch.tableReads;
  const snaps = [];
  for (let r = 0; r < ROUNDS; r++) {
    const s = { ...(await snapshots.take()), at: Date.now() + r };
    // In the monitor, each job's sample has read its processes' fd lists already (fd-names.ts).
    if (fdsReadBySample) for (const c of children) fdNamesIn(s, c.pid);
    snaps.push(s);
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const s of snaps) watch.update(s);
  const wall = (performance.now() - t0) / ROUNDS;
  const cpu = process.cpuUsage(cpu0);
  const listening = [...table.all()].filter((j) => j.ports?.length).length;
  console.log(`${label}: ${wall.toFixed(3)} ms wall, ${((cpu.user + cpu.system) / 1000 / ROUNDS).toFixed(3)} ms CPU per tick of ${JOBS} jobs (${listening} listening); ${watch.tableReads - reads0} table reads in ${ROUNDS} ticks`);
}

await measure('steady state, fd lists already read by the sample (as in the monitor)', 1e12, true);
await measure('steady state, fd lists read by the ports watch itself', 1e12, false);
await measure('everything re-read each tick (fd links and socket tables; the 5-s refresh costs this once)', 0, true);
for (const c of children) c.kill('SIGKILL');
process.exit(0);
