// Daemon-side CPU cost of one probe check, per checker kind, measured in this process (which plays
// the daemon) with process.cpuUsage(); the servers being probed run in a child process so their
// CPU is not counted. Also the share of one core that 100 jobs with an `http` probe every 2 s cost.
// Usage: npx tsc -p . && node bench/probe-checks.mjs [checks=100]

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCheck } from '../dist/daemon/probes/checks/index.js';

const N = Number(process.argv[2] ?? 100);
const server = spawn(
  process.execPath,
  ['-e', "const s = require('node:http').createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', () => console.log(s.address().port))"],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
process.on('exit', () => server.kill('SIGKILL'));
const port = Number(await new Promise((resolve) => server.stdout.once('data', resolve)));

const dir = mkdtempSync(join(tmpdir(), 'procd-bench-probe-'));
mkdirSync(join(dir, 'out'));
writeFileSync(join(dir, 'out', 'stdout.0000000000000000'), 'x\n'.repeat(1000));
const target = { jobId: 1, cwd: dir, env: { PATH: process.env.PATH }, dir, pids: async () => [server.pid] };

/** CPU ms (user + system) of this process per check, over N sequential checks after a warm-up. */
async function perCheck(condition, n = N) {
  const check = createCheck(condition, target);
  for (let i = 0; i < 5; i++) await check.run(5000);
  const before = process.cpuUsage();
  const t0 = performance.now();
  let ok = 0;
  for (let i = 0; i < n; i++) if ((await check.run(5000)).ok) ok++;
  const cpu = process.cpuUsage(before);
  check.close();
  return { cpuMs: (cpu.user + cpu.system) / 1000 / n, wallMs: (performance.now() - t0) / n, ok };
}

/** CPU ms of this process for one round of `jobs` http checks at once (as 100 probes due together). */
async function concurrentRound(jobs) {
  const checks = Array.from({ length: jobs }, () => createCheck({ kind: 'http', url: `http://127.0.0.1:${port}/health` }, target));
  await Promise.all(checks.map((c) => c.run(5000))); // warm-up
  const rounds = 10;
  const before = process.cpuUsage();
  for (let r = 0; r < rounds; r++) await Promise.all(checks.map((c) => c.run(5000)));
  const cpu = process.cpuUsage(before);
  checks.forEach((c) => c.close());
  return (cpu.user + cpu.system) / 1000 / rounds;
}

// listen first: every http/tcp check leaves a TIME_WAIT socket behind for a minute, and listen's
// cost grows with the number of sockets in the namespace (the kernel lists them all).
const countSockets = () => ['tcp', 'tcp6'].map((f) => readFileSync(`/proc/${server.pid}/net/${f}`, 'utf8').split('\n').length - 2).reduce((a, b) => a + b, 0);
const before = countSockets();
const rows = [
  ['listen', await perCheck({ kind: 'listen', port })],
  ['http', await perCheck({ kind: 'http', url: `http://127.0.0.1:${port}/health` })],
  ['tcp', await perCheck({ kind: 'tcp', host: '127.0.0.1', port })],
  ['output (nothing new)', await perCheck({ kind: 'output', pattern: 'ready', flags: '' })],
  ['exec (true)', await perCheck({ kind: 'exec', command: 'true' }, Math.min(N, 50))],
];
console.log(`TCP sockets in the namespace: ${before} before, ${countSockets()} after (listen ran first)\n`);
console.log(`| check | daemon CPU per check | wall per check | ok |`);
console.log(`|---|---|---|---|`);
for (const [name, r] of rows) console.log(`| ${name} | ${r.cpuMs.toFixed(3)} ms | ${r.wallMs.toFixed(2)} ms | ${r.ok}/${name.startsWith('exec') ? Math.min(N, 50) : N} |`);
const round = await concurrentRound(100);
console.log(`\n100 http probes due at once: ${round.toFixed(1)} ms CPU per round; every 2 s that is ${(round / 2000 * 100).toFixed(2)} % of one core`);
rmSync(dir, { recursive: true, force: true });
process.exit(0);
