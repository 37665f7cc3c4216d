#!/usr/bin/env node
// What scanning running jobs' stdout for progress markers costs per monitor tick (not part of the
// test suite; run after `npm run build`): `node bench/progress-scan.mjs [JOBS] [ROUNDS]`. JOBS job
// directories with a stdout segment in the shim's layout; the tracker scans each once per round:
// first with nothing new (the common case: two stat calls), then with one marker line appended to
// every job before each round (a read of the new bytes). Prints wall and CPU ms per round.

import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../dist/daemon/', import.meta.url);
const { JobTable } = await import(new URL('jobs/job-table.js', dist).href);
const { ProgressTracker } = await import(new URL('progress/tracker.js', dist).href);

const JOBS = Number(process.argv[2] ?? 100);
const ROUNDS = Number(process.argv[3] ?? 500);
const root = mkdtempSync(join(tmpdir(), 'procd-progress-bench-'));
const quiet = () => {};
const jobs = new Map();
const segment = (id) => join(root, String(id), 'out', `stdout.${'0'.repeat(16)}`);
for (let id = 1; id <= JOBS; id++) {
  const dir = join(root, String(id));
  mkdirSync(join(dir, 'out'), { recursive: true });
  writeFileSync(segment(id), 'some ordinary output\n'.repeat(100));
  // As in a job that runs a while: out/ last changed when its segment was created, long ago.
  const long = new Date(Date.now() - 60_000);
  utimesSync(join(dir, 'out'), long, long);
  jobs.set(id, {
    id, name: `j${id}`, description: null, tags: [], createdAt: 0, pendingKill: null, flags: [], flagHistory: [], resources: null, dir,
    output: { stdoutBytes: 2100, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null },
    spec: { command: { kind: 'argv', argv: ['x'] }, kind: 'task', cwd: '/', env: {}, timeoutMs: null, expectMs: null, stuckAfterMs: 0, maxOutputBytes: 1 << 20, stopSignal: 'SIGTERM', stopGraceMs: null },
    state: { kind: 'running', startedAt: Date.now(), pid: 1, startTicks: 1, shimPid: 1 },
  });
}
const table = new JobTable({ saveJob: quiet, removeJob: quiet, saveNextId: quiet, flush: async () => {} }, { jobs, nextId: JOBS + 1 });
const tracker = new ProgressTracker(table, { info: quiet, warn: quiet, error: quiet, debug: quiet }, { instance: 'bench', startedAt: 0 });

async function measure(label, before) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    before?.(r);
    await Promise.all([...jobs.keys()].map((id) => tracker.scan(id)));
  }
  const wall = (performance.now() - t0) / ROUNDS;
  const cpu = process.cpuUsage(cpu0);
  console.log(`${label}: ${wall.toFixed(2)} ms wall, ${((cpu.user + cpu.system) / 1000 / ROUNDS).toFixed(2)} ms CPU per tick of ${JOBS} jobs`);
}

await Promise.all([...jobs.keys()].map((id) => tracker.scan(id))); // the first read of each
await measure('nothing new');
await measure('one marker line each', (r) => {
  for (const id of jobs.keys()) appendFileSync(segment(id), `::procd progress ${r % 101}\n`);
});
rmSync(root, { recursive: true, force: true });
