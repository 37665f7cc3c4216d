// Params and result schemas of every RPC method, keyed by the same names as the spec table in
// shared/methods.ts (a compile-time check keeps the keys equal). The daemon validates params with
// these; the types the client and the handlers use are inferred from them; docs/protocol.md shows
// them. Never imported as a value on the CLI's hot path.

import * as v from 'valibot';
import { EVENT_KINDS } from '../events.js';
import { JOB_KINDS, JOB_STATE_KINDS, type JobSummary } from '../job.js';
import { LIMITS, type MethodName } from '../methods.js';
import { rowOf } from '../job-row.js';
import { JobRowSchema, JobStateKindSchema, JobSummarySchema, JobViewSchema } from './job.js';
import { EXAMPLE_JOB, exampleSpec, EXAMPLE_VIEW, KILL_EXAMPLE, NOT_RUNNING_EXAMPLE } from './method-examples.js';
import { MAX_MS, jobRef, jobRefs, duration, signal, streamName, jobName, tag, envName, limits, restart, probe, groupName, priority, dependency, declared } from './method-fields.js';
import { QUEUE_METHOD_SCHEMAS } from './methods-queue.js';
import { TRENDS_METHOD_SCHEMAS } from './methods-trends.js';
import { ANALYZE_METHOD_SCHEMAS } from './analyze.js';
import { PORTS_METHOD_SCHEMAS } from './methods-ports.js';
import { HISTORY_METHOD_SCHEMAS } from './methods-history.js';
import { BaselineSchema } from './history.js';
import { PROGRESS_METHOD_SCHEMAS } from './methods-progress.js';
import { AUDIT_METHOD_SCHEMAS } from './methods-audit.js';
import { DISCOVER_METHOD_SCHEMAS } from './methods-discover.js';
import { METRICS_METHOD_SCHEMAS } from './methods-metrics.js';
import { TimelineEntrySchema } from './timeline.js';
import { refFailure, RUN_METHOD_SCHEMAS } from './methods-runs.js';
import { WAIT_METHOD_SCHEMA } from './wait.js';
import { DAEMON_METHOD_SCHEMAS, stateCounts } from './methods-daemon.js';
import { logLinesParams, logLinesResult } from './log-lines.js';
import { bool, int, list, map, obj, oneOf, opt, str } from './valid.js';
import { ownerName, processName, TRACK_OWNER_PARAMS, TrackResultSchema } from './methods-owner.js';

const ids = v.array(v.number());
const refOut = v.union([v.number(), v.string()]);
const killStopped = v.object({ ref: refOut, ok: v.literal(true), id: v.number(), state: JobStateKindSchema, signal: v.string(), signalled: ids, forced: ids });
/** One item per job given, in the order given. */
const killResult = v.variant('ok', [killStopped, refFailure]);
/** What rm and prune removed (or, with dryRun, would remove): id, name and state at that moment. */
const removedJob = v.object({ id: v.number(), name: v.string(), state: JobStateKindSchema });
const processNode = v.object({
  pid: v.number(),
  ppid: v.number(),
  state: v.string(),
  cpuPercent: v.nullable(v.number()),
  rssBytes: v.number(),
  threads: v.number(),
  command: v.string(),
  /** Found only through the job's cgroup: no group, session, marker or parent link leads to it (e.g. a `setsid env -i` escapee). Absent from daemons before cgroups. */
  cgroupOnly: v.optional(v.boolean()),
});
const streamPair = v.object({ stdout: v.number(), stderr: v.number() });
/** A run of a job: 1 for the first, one more for each restart. */
const runNumber = int({ min: 1, max: 2 ** 31 });

/** Which jobs `list` (and `count`) cover: by default the live ones plus the last `recentFinished` (10) finished ones. */
const listFilter = obj({
  states: opt(list(oneOf(JOB_STATE_KINDS))),
  name: opt(str({ min: 1, max: 200 })),
  tag: opt(str({ min: 1, max: 100 })),
  /** Only jobs declared by this project (`procd up`). */
  project: opt(str({ min: 1, max: 200 })),
  owner: opt(ownerName),
  all: opt(bool()),
  recentFinished: opt(int({ min: 0, max: 100_000 })),
});

/** Params, result and one literal example (checked against both by a unit test). */
interface MethodSchema {
  params: v.GenericSchema;
  result: v.GenericSchema;
  example: { params: unknown; result: unknown };
}

export const METHOD_SCHEMAS = {
  hello: {
    /** `client`, `pid` and `via` (what the client does for its user, e.g. the CLI command `up`) are what the audit log says of its calls; nothing checks them. */
    params: obj({ client: opt(str({ max: 200 })), protocolVersion: opt(int({ min: 0 })), pid: opt(int({ min: 1, max: 2 ** 31 })), via: opt(str({ max: 100 })), parentName: opt(processName) }),
    result: v.object({ daemonVersion: v.string(), protocolVersion: v.number(), pid: v.number(), capabilities: v.array(v.string()) }),
    example: {
      params: { client: 'my-script/1.0', protocolVersion: 1, pid: 51234 },
      result: { daemonVersion: '0.1.0', protocolVersion: 1, pid: 4100, capabilities: ['jobs', 'logs.cursor', 'events'] },
    },
  },
  track: {
    params: obj({
      argv: opt(list(str({ max: LIMITS.commandItemChars }), { min: 1, max: LIMITS.commandItems })),
      shell: opt(str({ min: 1, max: 1 << 18 })),
      cwd: str({ min: 1, max: 4096, pattern: /^\//, what: 'an absolute directory path' }),
      env: opt(map(str({ max: LIMITS.commandItemChars }), { maxKeys: LIMITS.commandItems, key: envName })),
      name: opt(jobName),
      /** Stop the live job with this name (kill procedure) and start this one as a new job. */
      replace: opt(bool()),
      description: opt(str({ max: 2000 })),
      tags: opt(list(tag, { max: 50 })),
      timeoutMs: opt(int({ min: 1, max: MAX_MS })),
      expectMs: opt(int({ min: 1, max: MAX_MS })),
      stuckAfterMs: opt(duration),
      maxOutputBytes: opt(int({ min: LIMITS.minOutputBytes, max: LIMITS.maxOutputBytes })),
      /**
       * `service`: meant to stay up, so no stuck or time-sink flag unless `stuckAfterMs` / `expectMs`
       * ask for one; `task` (default): runs to an end, flagged stuck after the daemon's default.
       */
      kind: opt(oneOf(JOB_KINDS)),
      /** The first signal of every stop of this job (kill, replace, timeout, daemon.stop); an unknown one is refused (BadSignal). kill's `signal` overrides it. */
      stopSignal: opt(signal),
      /** How long a stop of this job waits before SIGKILL (default: the daemon's, 5 s); kill's `graceMs` overrides it. */
      stopGraceMs: opt(int({ min: 0, max: LIMITS.stopGraceMs })),
      /** Limits of the whole tree; `onLimit` (default kill) says what going over one does. */
      limits: opt(limits),
      /**
       * Start it again when it ends (`on-failure`: only when it failed; `always`, `unless-stopped`:
       * whatever the end, and these make it a service unless `kind` says task), with a backoff
       * between attempts. A job stopped by `kill` never restarts. Default: `no`.
       */
      restart: opt(restart),
      /**
       * Readiness (`ready`: checked until it first passes; then the job is ready, event `job.ready`)
       * and liveness (`alive`: checked for the whole run; after `failureThreshold` failures in a row
       * the job is stopped and restarted under its policy, outcome `unhealthy` detail `liveness` —
       * with restart policy `no` it is only flagged `unhealthy`).
       */
      probes: opt(obj({ ready: opt(probe), alive: opt(probe) })),
      /** Its queue group (default `default`): a group with a parallel limit starts its jobs in priority order as slots free. */
      group: opt(groupName),
      /** Higher starts first among queued jobs: low, normal (default), high, critical, or -100..100; waiting raises it (aging). */
      priority: opt(priority),
      /**
       * Jobs it waits for, `REF[:CONDITION]` (completed by default, ended, started, ready). A
       * dependency that can no longer be met ends this job at once: failed, `dependency_failed`.
       */
      after: opt(list(dependency, { max: 100 })),
      /** Where it was declared (`procd up`). */
      declared: opt(declared),
      ...TRACK_OWNER_PARAMS,
    }),
    /** The job without its environment's values (the caller sent them): `spec.envCount` says how many; `reused` with `ensure`. */
    result: TrackResultSchema,
    example: { params: { argv: ['npm', 'run', 'dev'], cwd: '/home/me/app', name: 'web', tags: ['dev'], kind: 'service', stopSignal: 'SIGINT', stopGraceMs: 10000 }, result: EXAMPLE_VIEW },
  },
  list: {
    params: listFilter,
    result: v.array(JobSummarySchema),
    example: { params: { states: ['running'] }, result: [EXAMPLE_VIEW] },
  },
  rows: {
    params: listFilter,
    result: v.array(JobRowSchema),
    // The example literals are checked against the result schemas (test/unit/shared/schema.test.ts), not typed.
    example: { params: { states: ['running'] }, result: [rowOf(EXAMPLE_VIEW as JobSummary)] },
  },
  count: {
    params: listFilter,
    result: v.object({ total: v.number(), states: stateCounts, hiddenFinished: v.number() }),
    example: {
      params: {},
      result: { total: 14, states: { queued: 0, starting: 0, running: 2, paused: 0, completed: 9, failed: 3, killed: 0, timed_out: 0, lost: 0 }, hiddenFinished: 2 },
    },
  },
  status: {
    /** `env`: also the environment's values (`spec.env`); without it only their count (`spec.envCount`). `timeline`: also what happened to it, in order (shared/timeline.ts). */
    params: obj({ job: jobRef, tree: opt(bool()), env: opt(bool()), timeline: opt(bool()) }),
    result: v.object({
      ...JobViewSchema.entries,
      tree: v.optional(v.array(processNode)),
      /** What its command usually takes, learned from its successful runs in the history (issue 14); absent: fewer than 3 of them. */
      baseline: v.optional(BaselineSchema),
      timeline: v.optional(v.array(TimelineEntrySchema)),
    }),
    example: {
      params: { job: 'web', tree: true },
      result: { ...EXAMPLE_VIEW, tree: [{ pid: 41235, ppid: 41234, state: 'S', cpuPercent: 0.5, rssBytes: 52428800, threads: 11, command: 'npm run dev', cgroupOnly: false }] },
    },
  },
  logs: {
    params: obj({
      job: jobRef,
      stream: opt(streamName),
      tailLines: opt(int({ min: 0, max: LIMITS.count })),
      /** Epoch milliseconds: start with output that arrived at or after this time. */
      since: opt(int({ min: 0 })),
      /** As a result gave it; its `run` (absent in cursors from daemons before runs) keeps reading in that run. */
      cursor: opt(obj({ stdout: int({ min: 0 }), stderr: int({ min: 0 }), run: opt(runNumber) })),
      maxBytes: opt(int({ min: 1, max: 8 << 20 })),
      waitMs: opt(int({ min: 0, max: 60_000 })),
      /** Read only this run (1 = the first); without it: the current run, then each later one as the job restarts. */
      run: opt(runNumber),
      /** Start at the oldest run whose output is kept (with `since`: the oldest that ended since then) and go on through the later ones. */
      allRuns: opt(bool()),
      lines: opt(logLinesParams),
    }),
    result: v.object({
      /**
       * The bytes, base64-encoded (output is byte-exact, not text); `text` is the same bytes when they
       * are valid UTF-8; `at` is when the shim read the chunk's first byte (epoch ms, within 100 ms;
       * null when the index no longer reaches back that far). Consecutive chunks of one stream are
       * split where the arrival time changes.
       */
      chunks: v.array(v.object({ stream: v.picklist(['stdout', 'stderr']), data: v.string(), text: v.optional(v.string()), at: v.nullable(v.number()) })),
      /** The run these chunks are from. */
      run: v.number(),
      /**
       * Pass back as `cursor` to continue where this read stopped. Its `run` moves on to the next run
       * (with `since`/`tailLines` applied when they are given with the cursor) once this run's output is
       * complete and the job has restarted, unless `run` pinned the read.
       */
      cursor: v.object({ ...streamPair.entries, run: v.number() }),
      /** True when everything was returned: of the job once it has ended (of the run given as `run` once that run ended). */
      eof: v.boolean(),
      /** Bytes lost at the start of each stream of this run to the disk cap. */
      dropped: streamPair,
      state: JobStateKindSchema,
      /** With `lines`: the lines chosen (`chunks` is then empty). */
      lines: v.optional(logLinesResult),
    }),
    example: {
      params: { job: 3, tailLines: 10, waitMs: 5000 },
      result: { chunks: [{ stream: 'stdout', data: 'bGlzdGVuaW5nIG9uIDozMDAwCg==', text: 'listening on :3000\n', at: 1767225600950 }], run: 1, cursor: { stdout: 23, stderr: 0, run: 1 }, eof: false, dropped: { stdout: 0, stderr: 0 }, state: 'running' },
    },
  },
  kill: {
    /** `jobs`, `owner` or `port` (the job listening on it, `protocol` default tcp; `adopt`: also a process procd does not supervise), or several. */
    params: obj({ jobs: opt(jobRefs), owner: opt(ownerName), signal: opt(signal), graceMs: opt(duration), port: opt(int({ min: 1, max: 65535 })), adopt: opt(bool()), protocol: opt(v.picklist(['tcp', 'udp'])), callerPid: opt(int({ min: 1, max: 2 ** 31 })) }),
    result: v.array(killResult),
    example: { params: { jobs: [3, 'build'], graceMs: 5000 }, result: [KILL_EXAMPLE, NOT_RUNNING_EXAMPLE] },
  },
  signal: {
    params: obj({ job: jobRef, signal }),
    result: v.object({ id: v.number(), signal: v.string(), signalled: ids }),
    example: { params: { job: 3, signal: 'SIGHUP' }, result: { id: 3, signal: 'SIGHUP', signalled: [41235] } },
  },
  ...RUN_METHOD_SCHEMAS,
  ...QUEUE_METHOD_SCHEMAS,
  ...ANALYZE_METHOD_SCHEMAS,
  ...PORTS_METHOD_SCHEMAS,
  ...HISTORY_METHOD_SCHEMAS,
  ...PROGRESS_METHOD_SCHEMAS,
  ...AUDIT_METHOD_SCHEMAS,
  ...TRENDS_METHOD_SCHEMAS,
  ...DISCOVER_METHOD_SCHEMAS,
  ...METRICS_METHOD_SCHEMAS,
  wait: WAIT_METHOD_SCHEMA,
  rm: {
    params: obj({ jobs: jobRefs, force: opt(bool()), dryRun: opt(bool()) }),
    /** removed: the ids removed (dryRun: that would be); failed: the jobs given that were not, one item each. */
    result: v.object({ dryRun: v.boolean(), removed: ids, jobs: v.array(removedJob), failed: v.array(refFailure) }),
    example: {
      params: { jobs: [3, 'web'] },
      result: {
        dryRun: false,
        removed: [3],
        jobs: [{ id: 3, name: 'build', state: 'completed' }],
        failed: [{ ref: 'web', ok: false, id: 4, error: { code: -32002, name: 'JobStillRunning', message: 'job 4 (web) is running; stop it first or use --force', data: { id: 4, state: 'running' } } }],
      },
    },
  },
  prune: {
    params: obj({ olderThanMs: opt(duration), dryRun: opt(bool()) }),
    result: v.object({ dryRun: v.boolean(), removed: ids, jobs: v.array(removedJob) }),
    example: {
      params: { olderThanMs: 86400000, dryRun: true },
      result: { dryRun: true, removed: [1, 2], jobs: [{ id: 1, name: 'build', state: 'completed' }, { id: 2, name: 'test', state: 'failed' }] },
    },
  },
  adopt: {
    params: obj({
      pid: int({ min: 1, max: 2 ** 31 }),
      name: opt(jobName),
      description: opt(str({ max: 2000 })),
      tags: opt(list(tag, { max: 50 })),
      /** The pid of the process asking (the client library sends its own): its ancestors (its shell) are refused unless `force`. */
      callerPid: opt(int({ min: 1, max: 2 ** 31 })),
      owner: opt(ownerName),
      /** Adopt the process even when it is the caller or one of its ancestors. */
      force: opt(bool()),
    }),
    result: JobViewSchema,
    example: {
      params: { pid: 5120, name: 'old-server' },
      result: { ...EXAMPLE_VIEW, id: 4, name: 'old-server', spec: { ...exampleSpec, envCount: 0, command: { kind: 'adopted', argv: ['python3', 'server.py'], leadsGroup: true } }, state: { kind: 'running', startedAt: 1767225000000, pid: 5120, startTicks: 812345, shimPid: null } },
    },
  },
  release: {
    params: obj({ job: jobRef }),
    result: JobViewSchema,
    example: {
      params: { job: 'old-server' },
      result: {
        ...EXAMPLE_JOB,
        id: 4,
        name: 'old-server',
        spec: { ...exampleSpec, envCount: 0, command: { kind: 'adopted', argv: ['python3', 'server.py'], leadsGroup: true } },
        state: { kind: 'lost', outcome: 'released', outcomeDetail: null, startedAt: 1767225000000, endedAt: 1767225900000, durationMs: 900000, exitCode: null, signal: null, pid: 5120, startTicks: 812345, reason: 'released with procd release: procd stopped supervising it without signalling it' },
      },
    },
  },
  cleanup: {
    params: obj({ dryRun: opt(bool()), reapParents: opt(bool()), retentionMs: opt(duration), maxRecords: opt(int({ min: 0, max: LIMITS.count })), owner: opt(ownerName) }),
    result: v.object({
      dryRun: v.boolean(),
      leftovers: v.object({ jobs: ids, pids: ids, signalled: ids, forced: ids }),
      zombies: v.array(v.object({ pid: v.number(), ppid: v.number(), jobId: v.number() })),
      /** Parents of zombies that were stopped (only with reapParents). */
      reapedParents: ids,
      pruned: ids,
      stopped: v.optional(v.array(killResult)), // with `owner`: its live jobs, stopped as by kill
      /** With `owner` and `dryRun`: the live jobs that `stopped` would hold without dryRun. */
      wouldStop: v.optional(v.array(removedJob)),
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
  ...DAEMON_METHOD_SCHEMAS,
} satisfies Record<MethodName, MethodSchema>;

export type MethodSchemas = typeof METHOD_SCHEMAS;

// Every method of the spec table has schemas, and no schema lacks a spec: the keys are the same.
type Assert<T extends true> = T;
export type SchemaKeysMatchSpecs = [
  Assert<[MethodName] extends [keyof MethodSchemas] ? true : false>,
  Assert<[keyof MethodSchemas] extends [MethodName] ? true : false>,
];
