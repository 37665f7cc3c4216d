#!/usr/bin/env node
// How long `procd ports` / `kill --port` block the daemon's event loop finding who holds each
// listening socket (not part of the test suite; run after `npm run build`):
// `node bench/port-holders-stall.mjs [FDS] [ROUNDS]`. Starts one python3 holding FDS open fds
// (/dev/null; ulimit -n raised when the hard limit allows), then per round times, for every visible process: the old one-go
// scan (socketHolders: every fd of every process, synchronously) and the sliced scan
// (scanListeningHolders), reporting the total time and the longest event-loop stall of each.

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

const dist = new URL('../dist/daemon/', import.meta.url);
const { socketHolders, readSocketTables } = await import(new URL('proc/sockets.js', dist).href);
const { scanListeningHolders } = await import(new URL('proc/socket-scan.js', dist).href);

const FDS = Number(process.argv[2] ?? 20000);
const ROUNDS = Number(process.argv[3] ?? 10);

let holder = null;
if (FDS > 0) {
  const py = `import os,sys,time\nfds=[os.open('/dev/null', os.O_RDONLY) for _ in range(${FDS})]\nprint('ok', flush=True)\ntime.sleep(600)`;
  holder = spawn('sh', ['-c', `ulimit -n ${FDS + 100} 2>/dev/null; exec python3 -c "$0"`, py], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.on('exit', () => holder.kill('SIGKILL'));
  await new Promise((resolve) => holder.stdout.once('data', resolve));
}

const pids = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((p) => p !== process.pid);
const fdCount = pids().reduce((n, p) => { try { return n + readdirSync(`/proc/${p}/fd`).length; } catch { return n; } }, 0);

/** Runs `work`, measuring its total time and the longest gap between event-loop turns meanwhile. */
async function measure(work) {
  let last = performance.now();
  let longest = 0;
  let on = true;
  const spin = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (on) setImmediate(spin);
  };
  setImmediate(spin);
  const t0 = performance.now();
  await work();
  const total = performance.now() - t0;
  on = false;
  longest = Math.max(longest, performance.now() - last);
  return { total, longest };
}

const oneGo = async () => {
  const { namespaces } = socketHolders(pids());
  [...readSocketTables('self'), ...[...namespaces.values()].flatMap((p) => readSocketTables(p))];
};
const sliced = () => scanListeningHolders(pids());
const rows = { 'one go (before)': [], 'sliced (after)': [] };
for (let i = 0; i < ROUNDS; i++) {
  rows['one go (before)'].push(await measure(oneGo));
  rows['sliced (after)'].push(await measure(sliced));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${pids().length} processes, ${fdCount} fds visible (python3 holding ${FDS}); median of ${ROUNDS} rounds`);
for (const [name, ms] of Object.entries(rows)) {
  console.log(`${name.padEnd(16)} total ${median(ms.map((m) => m.total)).toFixed(1)} ms, longest event-loop stall ${median(ms.map((m) => m.longest)).toFixed(1)} ms`);
}
process.exit(0);
