// Cost of one process-table pass and of one environ marker sweep, with ~300 processes running.
// Usage: npx tsc -p . && node bench/proc-scan.mjs [extraProcesses=300] [runs=50]

import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { findMarked, readProcessTable } from '../dist/daemon/proc/process-table.js';

const extra = Number(process.argv[2] ?? 300);
const runs = Number(process.argv[3] ?? 50);
const marker = `bench-${process.pid}`;
const kids = [];
const killAll = () => kids.forEach((k) => k.kill('SIGKILL'));
process.on('exit', killAll);

const base = (await readProcessTable()).size;
const target = Math.max(0, extra - base);
for (let i = 0; i < target; i++) {
  kids.push(spawn('sleep', ['1000'], { stdio: 'ignore', env: { ...process.env, PROCD_JOB_ID: `${marker}-${i}` } }));
}
// Wait (with a deadline) until every child has exec'd sleep and carries its marker.
const deadline = Date.now() + 30_000;
for (;;) {
  const table = await readProcessTable();
  const marked = await findMarked(table, 'PROCD_JOB_ID');
  const ready = [...marked.keys()].filter((k) => k.startsWith(marker)).length;
  if (ready >= target) break;
  if (Date.now() > deadline) throw new Error(`only ${ready}/${target} children started`);
  await new Promise((r) => setTimeout(r, 20));
}

async function median(fn) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

const table = await readProcessTable();
const scan = await median(() => readProcessTable());
const scanNoUid = await median(() => readProcessTable({ uid: false }));
const markOne = await median(() => findMarked(table, 'PROCD_JOB_ID', `${marker}-7`));
const markList = await median(() => findMarked(table, [`PROCD_JOB_ID=${marker}-7`]));
const both = await median(async () => findMarked(await readProcessTable(), 'PROCD_JOB_ID', `${marker}-7`));
console.log(`processes in table: ${table.size} (${target} sleep children started), ${runs} runs each, median:`);
console.log(`  readProcessTable():                    ${scan.toFixed(2)} ms`);
console.log(`  readProcessTable({ uid: false }):      ${scanNoUid.toFixed(2)} ms`);
console.log(`  findMarked(table, key, value):         ${markOne.toFixed(2)} ms`);
console.log(`  findMarked(table, [entry]):            ${markList.toFixed(2)} ms`);
console.log(`  readProcessTable() + findMarked():     ${both.toFixed(2)} ms`);
killAll();
