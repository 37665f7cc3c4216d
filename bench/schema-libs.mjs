#!/usr/bin/env node
// Schema library figures (issue 8): cold import cost in a fresh process (median of N, next to
// `node -e 0`) and the time to validate one Job-sized record, for valibot (procd's choice) and
// zod 4 (the other candidate; not a dependency — install it anywhere and pass its directory:
// `npm install --prefix /tmp/zodbench zod@4 && node bench/schema-libs.mjs --zod /tmp/zodbench`).
// Also what the CLI would pay if the schemas were on its path: shared/methods.js (what it loads)
// against shared/schemas/methods.js. Needs `npm run build` first.

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median } from './stats.mjs';

const REPO = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const N = Number(args[args.indexOf('--runs') + 1]) || 21;
const zodDir = args.includes('--zod') ? resolve(args[args.indexOf('--zod') + 1]) : null;

let cachedZod = null;

/**
 * One fresh `node` that imports `spec` as an ES module from `cwd` (nothing when null): its CPU time
 * (user + system, which a loaded machine inflates far less than wall time) and its wall time
 * from process start, both in ms, as the child measures them when done.
 */
function coldRun([spec, cwd]) {
  const report = 'const u = process.cpuUsage(); console.log(JSON.stringify({ cpu: (u.user + u.system) / 1000, wall: performance.now() }))';
  const code = `${spec ? `await import(${JSON.stringify(spec)});` : ''}${report}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`import of ${spec} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// Bare names resolve from the working directory, with the `import` condition (the ES build).
const targets = [
  ['node -e 0', [null, REPO]],
  ['valibot', ['valibot', REPO]],
  ...(zodDir ? [['zod', ['zod', zodDir]]] : []),
  ['dist/shared/methods.js (CLI: spec table)', ['./dist/shared/methods.js', REPO]],
  ['dist/shared/schemas/methods.js (daemon: schemas)', ['./dist/shared/schemas/methods.js', REPO]],
];
const times = new Map(targets.map(([name]) => [name, []]));
// Interleaved, so a burst of load on the shared machine hits every target alike.
for (let i = 0; i < N; i++) for (const [name, target] of targets) times.get(name).push(coldRun(target));
const med = (name, key) => median(times.get(name).map((t) => t[key]));
const base = { cpu: med('node -e 0', 'cpu'), wall: med('node -e 0', 'wall') };
console.log(`Cold import, median of ${N} fresh processes (Node ${process.version}, load average ${loadavg()[0].toFixed(1)}):`);
console.log('| what | CPU ms | over `node -e 0` | wall ms | over `node -e 0` |');
console.log('|---|---|---|---|---|');
for (const [name] of targets) {
  const cpu = med(name, 'cpu');
  const wall = med(name, 'wall');
  const over = (x, b) => (name === 'node -e 0' ? '' : `+${(x - b).toFixed(1)}`);
  console.log(`| ${name} | ${cpu.toFixed(1)} | ${over(cpu, base.cpu)} | ${wall.toFixed(1)} | ${over(wall, base.wall)} |`);
}

// Validating a Job-sized record (a running job with flags, a history and resource figures).
const { JobSchema } = await import(join(REPO, 'dist/shared/schemas/job.js'));
const v = await import('valibot');
const sample = { at: 4, cpuPercent: 12.5, rssBytes: 1e8, mainRssBytes: 8e7, processes: 3, threads: 12, fds: 40, states: { S: 2, R: 1 } };
const flag = { kind: 'stuck', raisedAt: 5, detail: 'no output for 10m', severity: 'medium', pids: [], data: { quietMs: 600000, threshold: 'x', list: [1, 2], none: null } };
const job = {
  id: 7, name: 'web', description: 'dev server', tags: ['dev', 'api'], createdAt: 1_767_225_600_000,
  spec: { command: { kind: 'argv', argv: ['npm', 'run', 'dev'] }, cwd: '/home/me/app', env: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`VAR_${i}`, `value-${i}`])), timeoutMs: null, expectMs: 60000, stuckAfterMs: 600000, maxOutputBytes: 134217728 },
  state: { kind: 'running', startedAt: 1_767_225_600_012, pid: 41235, startTicks: 9123456, shimPid: 41234 },
  pendingKill: null, flags: [flag], flagHistory: [{ ...flag, clearedAt: 9 }, { ...flag, kind: 'bottleneck', clearedAt: 10 }],
  resources: { samples: 100, cpuSamples: 99, cpuPeak: 80, cpuAvg: 20, rssPeak: 2e8, rssAvg: 1e8, processesPeak: 4, last: sample },
  output: { stdoutBytes: 1e6, stderrBytes: 2e3, droppedBytes: 0, lostBytes: 0, lastOutputAt: 1_767_225_700_000 },
  dir: '/home/me/.local/share/procd/jobs/7',
};

function perParse(parse) {
  for (let i = 0; i < 2000; i++) parse(); // warm up
  const rounds = [];
  for (let r = 0; r < 7; r++) {
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) parse();
    rounds.push(((performance.now() - t0) * 1000) / n);
  }
  return median(rounds);
}

const results = [['valibot (shared/schemas/job.ts)', perParse(() => { if (!v.safeParse(JobSchema, job).success) throw new Error('valibot refused the job'); })]];
if (zodDir) {
  const { z } = await import(pathToFileURL(createRequire(join(zodDir, 'x.js')).resolve('zod')).href);
  results.push(['zod 4 (the same shape)', perParse(() => { if (!zodJob(z).safeParse(job).success) throw new Error('zod refused the job'); })]);
}
console.log('\nValidating one Job-sized record (30 env vars, 3 flags, resource figures), median of 7 rounds:');
console.log('| library | µs per record |');
console.log('|---|---|');
for (const [name, us] of results) console.log(`| ${name} | ${us.toFixed(2)} |`);

/** The Job schema written with zod 4, field for field as shared/schemas/job.ts. */
function zodJob(z) {
  if (cachedZod) return cachedZod;
  const num = z.number();
  const numOrNull = num.nullable();
  const kill = z.object({ reason: z.enum(['user', 'timeout', 'shutdown', 'cleanup']), requestedAt: num, signal: z.string(), graceMs: num, signalled: z.array(num), forced: z.array(num) });
  const ended = { exitCode: numOrNull, signal: z.object({ name: z.string(), number: num }).nullable(), startedAt: num, endedAt: num, durationMs: num, pid: numOrNull.default(null), startTicks: numOrNull.default(null) };
  const flagZ = z.object({ kind: z.enum(['stuck', 'time_sink', 'bottleneck', 'zombie', 'leftovers']), raisedAt: num, detail: z.string(), severity: z.enum(['medium', 'high']), pids: z.array(num), data: z.record(z.string(), z.union([num, z.string(), z.array(num), z.null()])) });
  const sampleZ = z.object({ at: num, cpuPercent: numOrNull, rssBytes: num, mainRssBytes: num, processes: num, threads: num, fds: numOrNull, states: z.record(z.string(), num) });
  cachedZod = z.object({
    id: z.number().int().min(1),
    name: z.string(),
    description: z.string().nullable().default(null),
    tags: z.array(z.string()).default([]),
    createdAt: num,
    spec: z.object({
      command: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('argv'), argv: z.array(z.string()) }),
        z.object({ kind: z.literal('shell'), script: z.string(), shell: z.string() }),
        z.object({ kind: z.literal('adopted'), argv: z.array(z.string()), leadsGroup: z.boolean().optional() }),
      ]),
      cwd: z.string(), env: z.record(z.string(), z.string()), timeoutMs: numOrNull, expectMs: numOrNull, stuckAfterMs: num, maxOutputBytes: num,
    }),
    state: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('queued'), queuedAt: num }),
      z.object({ kind: z.literal('running'), startedAt: num, pid: z.number().int().min(1), startTicks: numOrNull.default(null), shimPid: numOrNull.default(null) }),
      z.object({ kind: z.literal('completed'), ...ended }),
      z.object({ kind: z.literal('failed'), spawnError: z.object({ code: z.string(), message: z.string(), step: z.enum(['chdir', 'exec']).optional() }).nullable(), ...ended }),
      z.object({ kind: z.literal('killed'), kill: kill.nullable(), forced: z.boolean(), ...ended }),
      z.object({ kind: z.literal('timed_out'), kill, forced: z.boolean(), ...ended }),
      z.object({ kind: z.literal('lost'), reason: z.string(), ...ended }),
    ]),
    pendingKill: kill.nullable().default(null),
    flags: z.array(flagZ).default([]),
    flagHistory: z.array(flagZ.extend({ clearedAt: num })).default([]),
    resources: z.object({ samples: num, cpuSamples: num, cpuPeak: num, cpuAvg: num, rssPeak: num, rssAvg: num, processesPeak: num, last: sampleZ.nullable() }).nullable().default(null),
    output: z.object({ stdoutBytes: num, stderrBytes: num, droppedBytes: num, lostBytes: num.optional(), lastOutputAt: numOrNull }).default({ stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null }),
    dir: z.string(),
  });
  return cachedZod;
}
