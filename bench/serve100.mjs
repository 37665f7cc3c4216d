#!/usr/bin/env node
// What the Perl shim's own fork server saves, without the daemon: 100 start requests written at
// once to a fork server, until all 100 `sleep` jobs run; then the CPU of the server, the shims
// and the jobs (until exec) and the shims' PSS. `perl procd-shim.pl --serve` (each shim a fork)
// vs the native server exec'ing the Perl shim, alternating round by round (load swings hit both).
//   node bench/serve100.mjs [rounds]     (needs `npm run build`: dist/shim/procd-shim)

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const REPO = resolve(import.meta.dirname, '..');
const SHIM = join(REPO, 'daemon/shim/procd-shim.pl');
const { writeSpawnSpec } = await import(join(REPO, 'dist/daemon/output/spawn-spec.js'));
const VARIANTS = {
  'perl --serve': ['perl', SHIM, '--serve'],
  'native --serve perl': [join(REPO, 'dist/shim/procd-shim'), '--serve', 'perl', SHIM],
};

const ticksOf = (pid) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // ms at USER_HZ 100
  } catch {
    return 0;
  }
};
const pssOf = (pid) => {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))[1]) / 1024;
  } catch {
    return 0;
  }
};

async function round(argv) {
  const root = mkdtempSync(join(tmpdir(), 'procd-serve100-'));
  const dirs = [];
  for (let i = 0; i < 100; i++) {
    const dir = join(root, String(i));
    mkdirSync(dir);
    await writeSpawnSpec(dir, { argv: ['sleep', '300'], cwd: '/', env: { PATH: process.env.PATH }, maxOutputBytes: 1 << 20, segmentBytes: 1 << 16 });
    dirs.push(dir);
  }
  const server = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let t0 = 0;
  const wall = await new Promise((done, fail) => {
    server.on('error', fail);
    server.stdout.on('data', (b) => {
      out += b.toString('latin1');
      if (!t0 && out.startsWith('R ')) {
        t0 = performance.now();
        server.stdin.write(dirs.map((d) => `${d}\n`).join(''));
      }
      if ((out.match(/\nstarted /g) ?? []).length >= 100) done(performance.now() - t0);
    });
  });
  const shims = [...out.matchAll(/^P ([0-9]+)$/gm)].map((m) => Number(m[1]));
  const jobs = [...out.matchAll(/\nstarted ([0-9]+)/g)].map((m) => Number(m[1]));
  const sum = (pids, f) => pids.reduce((a, p) => a + f(p), 0);
  const r = { wall, cpu: sum(shims, ticksOf) + sum(jobs, ticksOf) + ticksOf(server.pid), pss: sum(shims, pssOf) / shims.length };
  for (const pid of jobs) process.kill(pid, 'SIGKILL'); // each shim records its job's end and exits
  server.stdin.end();
  await new Promise((done) => server.on('close', done));
  // The shims outlive the server: wait (at most a minute) until they have written their files and gone.
  for (const deadline = Date.now() + 60_000; shims.some((p) => ticksOf(p) || existsSync(`/proc/${p}`)) && Date.now() < deadline; ) await delay(100);
  rmSync(root, { recursive: true, force: true });
  return r;
}

const rounds = Number(process.argv[2] ?? 3);
const seen = Object.fromEntries(Object.keys(VARIANTS).map((k) => [k, []]));
for (let i = 0; i < rounds; i++) for (const [name, argv] of Object.entries(VARIANTS)) seen[name].push(await round(argv));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
for (const [name, rs] of Object.entries(seen)) {
  console.log(`${name}: 100 running in ${median(rs.map((r) => r.wall)).toFixed(0)} ms; CPU (server + shims + jobs) ${median(rs.map((r) => r.cpu))} ms; PSS ${median(rs.map((r) => r.pss)).toFixed(2)} MiB per shim (median of ${rs.length})`);
}
