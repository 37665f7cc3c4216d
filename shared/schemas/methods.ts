// Params and result schemas of every RPC method, keyed by the same names as the spec table in
// shared/methods.ts (a compile-time check keeps the keys equal). The daemon validates params with
// these; the types the client and the handlers use are inferred from them; docs/protocol.md shows
// them. Never imported as a value on the CLI's hot path.

import * as v from 'valibot';
import { EVENT_KINDS } from '../events.js';
import { JOB_STATE_KINDS } from '../job.js';
import { LIMITS, type MethodName } from '../methods.js';
import { JobSchema, JobStateKindSchema, JobSummarySchema } from './job.js';
import { bool, either, int, list, map, obj, oneOf, opt, str } from './valid.js';

const MAX_MS = LIMITS.durationMs;
/** A job is named by its numeric id or by its name (the most recent job with that name). */
const jobRef = either(int({ min: 1 }), str({ min: 1, max: 200, what: 'a job id or name' }));
const jobRefs = list(jobRef, { min: 1, max: 1000 });
const duration = int({ min: 0, max: MAX_MS });
const signal = either(str({ min: 1, max: 20, what: 'a signal name such as SIGTERM' }), int({ min: 1, max: 64 }));
const streamName = oneOf(['stdout', 'stderr', 'both']);
/** Job names: `procd logs web` finds a job by name, so a name cannot look like an id or hide control characters. */
const jobName = str({ min: 1, max: 200, pattern: /^(?!\d+$)[^\s\p{Cc}]+$/u, what: 'a name without spaces or control characters, not all digits (digits name a job id)' });
const tag = str({ min: 1, max: 100, pattern: /^[^\p{Cc}]+$/u, what: 'a tag without control characters' });
/** An environment variable name as execve accepts it: no `=`, not empty. */
const envName = str({ min: 1, max: 4096, pattern: /^[^=]+$/, what: 'a variable name without "="' });

const ids = v.array(v.number());
const killResult = v.object({ id: v.number(), state: JobStateKindSchema, signal: v.string(), signalled: ids, forced: ids });
const processNode = v.object({
  pid: v.number(),
  ppid: v.number(),
  state: v.string(),
  cpuPercent: v.nullable(v.number()),
  rssBytes: v.number(),
  threads: v.number(),
  command: v.string(),
});
const streamPair = v.object({ stdout: v.number(), stderr: v.number() });
const stateCounts = v.object(Object.fromEntries(JOB_STATE_KINDS.map((k) => [k, v.number()])) as Record<v.InferOutput<typeof JobStateKindSchema>, v.NumberSchema<undefined>>);

/** Params, result and one literal example (checked against both by a unit test). */
interface MethodSchema {
  params: v.GenericSchema;
  result: v.GenericSchema;
  example: { params: unknown; result: unknown };
}

const EXAMPLE_JOB = {
  id: 3,
  name: 'web',
  description: null,
  tags: ['dev'],
  createdAt: 1767225600000,
  spec: { command: { kind: 'argv', argv: ['npm', 'run', 'dev'] }, cwd: '/home/me/app', env: { PATH: '/usr/bin:/bin' }, timeoutMs: null, expectMs: null, stuckAfterMs: 0, maxOutputBytes: 134217728 },
  state: { kind: 'running', startedAt: 1767225600012, pid: 41235, startTicks: 9123456, shimPid: 41234 },
  pendingKill: null,
  flags: [],
  flagHistory: [],
  resources: null,
  output: { stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lostBytes: 0, lastOutputAt: null },
  dir: '/home/me/.local/share/procd/jobs/3',
};
const EXAMPLE_ENDED = {
  ...EXAMPLE_JOB,
  state: { kind: 'completed', outcome: 'exit', outcomeDetail: null, startedAt: 1767225600012, endedAt: 1767225612012, durationMs: 12000, exitCode: 0, signal: null, pid: 41235, startTicks: 9123456 },
};
const { env: _env, ...exampleSpec } = EXAMPLE_JOB.spec;
const KILL_EXAMPLE = { id: 3, state: 'killed', signal: 'SIGTERM', signalled: [41235], forced: [] };

export const METHOD_SCHEMAS = {
  hello: {
    params: obj({ client: opt(str({ max: 200 })), protocolVersion: opt(int({ min: 0 })) }),
    result: v.object({ daemonVersion: v.string(), protocolVersion: v.number(), pid: v.number(), capabilities: v.array(v.string()) }),
    example: {
      params: { client: 'my-script/1.0', protocolVersion: 1 },
      result: { daemonVersion: '0.1.0', protocolVersion: 1, pid: 4100, capabilities: ['jobs', 'logs.cursor', 'events'] },
    },
  },
  track: {
    params: obj({
      argv: opt(list(str({ max: 1 << 16 }), { min: 1, max: 4096 })),
      shell: opt(str({ min: 1, max: 1 << 18 })),
      cwd: str({ min: 1, max: 4096, pattern: /^\//, what: 'an absolute directory path' }),
      env: opt(map(str({ max: 1 << 17 }), { maxKeys: 4096, key: envName })),
      name: opt(jobName),
      description: opt(str({ max: 2000 })),
      tags: opt(list(tag, { max: 50 })),
      timeoutMs: opt(int({ min: 1, max: MAX_MS })),
      expectMs: opt(int({ min: 1, max: MAX_MS })),
      stuckAfterMs: opt(duration),
      maxOutputBytes: opt(int({ min: LIMITS.minOutputBytes, max: LIMITS.maxOutputBytes })),
    }),
    result: JobSchema,
    example: { params: { argv: ['npm', 'run', 'dev'], cwd: '/home/me/app', name: 'web', tags: ['dev'] }, result: EXAMPLE_JOB },
  },
  list: {
    params: obj({
      states: opt(list(oneOf(JOB_STATE_KINDS))),
      name: opt(str({ min: 1, max: 200 })),
      tag: opt(str({ min: 1, max: 100 })),
      all: opt(bool()),
      recentFinished: opt(int({ min: 0, max: 100_000 })),
    }),
    result: v.array(JobSummarySchema),
    example: { params: { states: ['running'] }, result: [{ ...EXAMPLE_JOB, spec: { ...exampleSpec, envCount: 1 } }] },
  },
  status: {
    params: obj({ job: jobRef, tree: opt(bool()) }),
    result: v.object({ ...JobSchema.entries, tree: v.optional(v.array(processNode)) }),
    example: {
      params: { job: 'web', tree: true },
      result: { ...EXAMPLE_JOB, tree: [{ pid: 41235, ppid: 41234, state: 'S', cpuPercent: 0.5, rssBytes: 52428800, threads: 11, command: 'npm run dev' }] },
    },
  },
  logs: {
    params: obj({
      job: jobRef,
      stream: opt(streamName),
      tailLines: opt(int({ min: 0, max: LIMITS.count })),
      /** Epoch milliseconds: start with output that arrived at or after this time. */
      since: opt(int({ min: 0 })),
      cursor: opt(obj({ stdout: int({ min: 0 }), stderr: int({ min: 0 }) })),
      maxBytes: opt(int({ min: 1, max: 8 << 20 })),
      waitMs: opt(int({ min: 0, max: 60_000 })),
    }),
    result: v.object({
      /** The bytes, base64-encoded: output is byte-exact, not text. */
      chunks: v.array(v.object({ stream: v.picklist(['stdout', 'stderr']), data: v.string() })),
      /** Pass back as `cursor` to continue where this read stopped. */
      cursor: streamPair,
      /** True when the job has ended and everything it wrote has been returned. */
      eof: v.boolean(),
      /** Bytes lost at the start of each stream to the disk cap. */
      dropped: streamPair,
      state: JobStateKindSchema,
    }),
    example: {
      params: { job: 3, tailLines: 10, waitMs: 5000 },
      result: { chunks: [{ stream: 'stdout', data: 'bGlzdGVuaW5nIG9uIDozMDAwCg==' }], cursor: { stdout: 23, stderr: 0 }, eof: false, dropped: { stdout: 0, stderr: 0 }, state: 'running' },
    },
  },
  kill: {
    params: obj({ jobs: jobRefs, signal: opt(signal), graceMs: opt(duration) }),
    result: v.array(killResult),
    example: { params: { jobs: [3], graceMs: 5000 }, result: [KILL_EXAMPLE] },
  },
  signal: {
    params: obj({ job: jobRef, signal }),
    result: v.object({ id: v.number(), signal: v.string(), signalled: ids }),
    example: { params: { job: 3, signal: 'SIGHUP' }, result: { id: 3, signal: 'SIGHUP', signalled: [41235] } },
  },
  wait: {
    params: obj({ jobs: jobRefs, timeoutMs: opt(duration) }),
    /** timedOut: the wait's own timeout passed before every job ended. */
    result: v.object({ jobs: v.array(JobSchema), timedOut: v.boolean() }),
    example: { params: { jobs: [3], timeoutMs: 60000 }, result: { jobs: [EXAMPLE_ENDED], timedOut: false } },
  },
  rm: {
    params: obj({ jobs: jobRefs, force: opt(bool()) }),
    result: v.object({ removed: ids }),
    example: { params: { jobs: [3] }, result: { removed: [3] } },
  },
  prune: {
    params: obj({ olderThanMs: opt(duration) }),
    result: v.object({ removed: ids }),
    example: { params: { olderThanMs: 86400000 }, result: { removed: [1, 2] } },
  },
  adopt: {
    params: obj({ pid: int({ min: 1, max: 2 ** 31 }), name: opt(jobName), description: opt(str({ max: 2000 })), tags: opt(list(tag, { max: 50 })) }),
    result: JobSchema,
    example: {
      params: { pid: 5120, name: 'old-server' },
      result: { ...EXAMPLE_JOB, id: 4, name: 'old-server', spec: { ...EXAMPLE_JOB.spec, command: { kind: 'adopted', argv: ['python3', 'server.py'], leadsGroup: true } }, state: { kind: 'running', startedAt: 1767225000000, pid: 5120, startTicks: 812345, shimPid: null } },
    },
  },
  cleanup: {
    params: obj({ dryRun: opt(bool()), reapParents: opt(bool()), retentionMs: opt(duration), maxRecords: opt(int({ min: 0, max: LIMITS.count })) }),
    result: v.object({
      dryRun: v.boolean(),
      leftovers: v.object({ jobs: ids, pids: ids, signalled: ids, forced: ids }),
      zombies: v.array(v.object({ pid: v.number(), ppid: v.number(), jobId: v.number() })),
      /** Parents of zombies that were stopped (only with reapParents). */
      reapedParents: ids,
      pruned: ids,
    }),
    example: {
      params: { dryRun: true },
      result: { dryRun: true, leftovers: { jobs: [2], pids: [40001], signalled: [], forced: [] }, zombies: [], reapedParents: [], pruned: [] },
    },
  },
  subscribe: {
    params: obj({
      /** Jobs by id or name (a name is resolved once, at subscribe, like every other method does). */
      jobs: opt(list(jobRef, { max: 1000 })),
      names: opt(list(str({ min: 1, max: 200 }), { max: 1000 })),
      tags: opt(list(str({ min: 1, max: 100 }), { max: 100 })),
      kinds: opt(list(oneOf(EVENT_KINDS))),
      samples: opt(bool()),
      /** Resume: first send the kept lifecycle events after this seq (and a subscription.gap for what is gone). */
      afterSeq: opt(int({ min: 0 })),
    }),
    /** seq: the last event published so far; jobs: the ids `jobs` resolved to (send these when resubscribing). */
    result: v.object({ subscribed: v.literal(true), seq: v.number(), jobs: v.optional(ids) }),
    example: { params: { jobs: ['web'], kinds: ['job.state'], afterSeq: 118 }, result: { subscribed: true, seq: 120, jobs: [3] } },
  },
  'daemon.status': {
    params: obj({}),
    result: v.object({
      pid: v.number(),
      version: v.string(),
      protocolVersion: v.number(),
      startedAt: v.number(),
      uptimeMs: v.number(),
      socket: v.string(),
      home: v.string(),
      logFile: v.string(),
      counts: stateCounts,
      /** Problems found at start (e.g. a corrupt state file replaced by its backup, a record set aside). */
      warnings: v.array(v.string()),
      /** The service manager that runs this daemon, if any (then restarts should go through it). */
      supervisedBy: v.nullable(v.picklist(['systemd', 'launchd'])),
      monitor: v.object({ intervalMs: v.number(), lastTickMs: v.number(), ticks: v.number() }),
      events: v.object({ seq: v.number(), subscribers: v.number(), droppedSubscribers: v.number() }),
      /** Clients connected right now (this call's own connection included). */
      connections: v.number(),
      /** Whether the job shim runs: the interpreter and script checked, what the check said, or the error and what to do. */
      shim: v.object({ ok: v.boolean(), interpreter: v.string(), script: v.string(), detail: v.nullable(v.string()), error: v.nullable(v.string()), fix: v.nullable(v.string()) }),
      /** Errors nothing caught: unhandled rejections since start (the daemon kept running), and the previous daemon's crash on an uncaught exception. */
      faults: v.object({
        unhandledRejections: v.number(),
        lastRejection: v.nullable(v.object({ at: v.number(), message: v.string() })),
        previousCrash: v.nullable(v.object({ at: v.number(), pid: v.number(), message: v.string() })),
      }),
    }),
    example: {
      params: {},
      result: {
        pid: 4100,
        version: '0.1.0',
        protocolVersion: 1,
        startedAt: 1767225000000,
        uptimeMs: 600000,
        socket: '/run/user/1000/procd/procd.sock',
        home: '/home/me/.local/share/procd',
        logFile: '/home/me/.local/state/procd/daemon.log',
        counts: { queued: 0, starting: 0, running: 2, paused: 0, completed: 5, failed: 1, killed: 0, timed_out: 0, lost: 0 },
        warnings: [],
        supervisedBy: null,
        monitor: { intervalMs: 1000, lastTickMs: 1.8, ticks: 600 },
        events: { seq: 120, subscribers: 1, droppedSubscribers: 0 },
        connections: 2,
        shim: { ok: true, interpreter: '/usr/bin/perl', script: '/usr/lib/node_modules/procd/daemon/shim/procd-shim.pl', detail: 'perl 5.40.1', error: null, fix: null },
        faults: { unhandledRejections: 0, lastRejection: null, previousCrash: null },
      },
    },
  },
  'daemon.stop': {
    params: obj({ keepJobs: opt(bool()) }),
    result: v.object({ stopping: v.literal(true), jobsStopped: v.number() }),
    example: { params: { keepJobs: true }, result: { stopping: true, jobsStopped: 0 } },
  },
} satisfies Record<MethodName, MethodSchema>;

export type MethodSchemas = typeof METHOD_SCHEMAS;

// Every method of the spec table has schemas, and no schema lacks a spec: the keys are the same.
type Assert<T extends true> = T;
export type SchemaKeysMatchSpecs = [
  Assert<[MethodName] extends [keyof MethodSchemas] ? true : false>,
  Assert<[keyof MethodSchemas] extends [MethodName] ? true : false>,
];
