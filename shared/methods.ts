// The method table: the single source of truth for the protocol. The daemon's dispatch, the
// client's typed calls, the CLI and docs/protocol.md all derive from this table.

import { EVENT_KINDS } from './events.js';
import type { Job, JobId, JobState, JobSummary } from './job.js';
import { JOB_STATE_KINDS } from './job.js';
import { array, boolean, integer, literal, object, optional, record, string, union, type Infer, type Schema } from './schema.js';

/** A phantom carrying a result type; it has no runtime content. */
export interface ResultType<T> {
  readonly __result?: T;
}
const result = <T>(): ResultType<T> => ({});

export interface MethodDef<P extends Schema<unknown>, R> {
  params: P;
  result: ResultType<R>;
  doc: string;
}
const method = <P extends Schema<unknown>, R>(def: MethodDef<P, R>): MethodDef<P, R> => def;

/** Numeric limits of the protocol's fields; the CLI checks its options against the same ones. */
export const LIMITS = {
  /** Any duration field: ten years. */
  durationMs: 10 * 365 * 86_400_000,
  minOutputBytes: 4096,
  maxOutputBytes: 2 ** 50,
  /** Line and record counts. */
  count: 10_000_000,
} as const;
const MAX_MS = LIMITS.durationMs;
/** A job is named by its numeric id or by its name (the most recent job with that name). */
const jobRef = union(integer({ min: 1 }), string({ min: 1, max: 200, what: 'a job id or name' }));
const jobRefs = array(jobRef, { min: 1, max: 1000 });
const duration = integer({ min: 0, max: MAX_MS });
const signal = union(string({ min: 1, max: 20, what: 'a signal name such as SIGTERM' }), integer({ min: 1, max: 64 }));
const streamName = literal('stdout', 'stderr', 'both');

export type JobRef = Infer<typeof jobRef>;
export type StreamName = Infer<typeof streamName>;

export interface HelloResult {
  daemonVersion: string;
  protocolVersion: number;
  pid: number;
  capabilities: string[];
}

export interface LogChunk {
  stream: 'stdout' | 'stderr';
  /** The bytes, base64-encoded: output is byte-exact, not text. */
  data: string;
}

export interface LogsResult {
  chunks: LogChunk[];
  /** Pass back as `cursor` to continue where this read stopped. */
  cursor: { stdout: number; stderr: number };
  /** True when the job has ended and everything it wrote has been returned. */
  eof: boolean;
  /** Bytes lost at the start of each stream to the disk cap. */
  dropped: { stdout: number; stderr: number };
  state: JobState['kind'];
}

export interface KillResult {
  id: JobId;
  state: JobState['kind'];
  signal: string;
  signalled: number[];
  forced: number[];
}

export interface WaitResult {
  jobs: Job[];
  /** True when the wait's own timeout passed before every job ended. */
  timedOut: boolean;
}

export interface DaemonStatus {
  pid: number;
  version: string;
  protocolVersion: number;
  startedAt: number;
  uptimeMs: number;
  socket: string;
  home: string;
  logFile: string;
  counts: Record<JobState['kind'], number>;
  /** Problems found at start (e.g. a corrupt state file replaced by its backup). */
  warnings: string[];
  /** The service manager that runs this daemon, if any (then restarts should go through it). */
  supervisedBy: 'systemd' | 'launchd' | null;
  monitor: { intervalMs: number; lastTickMs: number; ticks: number };
  events: { seq: number; subscribers: number; droppedSubscribers: number };
  /** Clients connected right now (this call's own connection included). */
  connections: number;
  /** Whether the job shim runs: the interpreter and script checked, what the check said, or the error and what to do. */
  shim: { ok: boolean; interpreter: string; script: string; detail: string | null; error: string | null; fix: string | null };
  /** Errors nothing caught: unhandled rejections since start (the daemon kept running), and the previous daemon's crash on an uncaught exception. */
  faults: {
    unhandledRejections: number;
    lastRejection: { at: number; message: string } | null;
    previousCrash: { at: number; pid: number; message: string } | null;
  };
}

/** One process of a job's tree, as `status --tree` shows it. */
export interface ProcessNode {
  pid: number;
  ppid: number;
  state: string;
  cpuPercent: number | null;
  rssBytes: number;
  threads: number;
  command: string;
}

export type JobStatus = Job & { tree?: ProcessNode[] };

export interface CleanupResult {
  dryRun: boolean;
  leftovers: { jobs: JobId[]; pids: number[]; signalled: number[]; forced: number[] };
  zombies: { pid: number; ppid: number; jobId: JobId }[];
  /** Parents of zombies that were stopped (only with reapParents). */
  reapedParents: number[];
  pruned: JobId[];
}

/** Job names: `procd logs web` finds a job by name, so a name cannot look like an id or hide control characters. */
const jobName = string({ min: 1, max: 200, pattern: /^(?!\d+$)[^\s\p{Cc}]+$/u, what: 'a name without spaces or control characters, not all digits (digits name a job id)' });
const tag = string({ min: 1, max: 100, pattern: /^[^\p{Cc}]+$/u, what: 'a tag without control characters' });
/** An environment variable name as execve accepts it: no `=`, not empty. */
const envName = string({ min: 1, max: 4096, pattern: /^[^=]+$/, what: 'a variable name without "="' });

export const methods = {
  hello: method({
    params: object({ client: optional(string({ max: 200 })), protocolVersion: optional(integer({ min: 0 })) }),
    result: result<HelloResult>(),
    doc: 'Handshake: daemon version, protocol version, pid and capabilities.',
  }),
  track: method({
    params: object({
      argv: optional(array(string({ max: 1 << 16 }), { min: 1, max: 4096 })),
      shell: optional(string({ min: 1, max: 1 << 18 })),
      cwd: string({ min: 1, max: 4096, pattern: /^\//, what: 'an absolute directory path' }),
      env: optional(record(string({ max: 1 << 17 }), { maxKeys: 4096, key: envName })),
      name: optional(jobName),
      description: optional(string({ max: 2000 })),
      tags: optional(array(tag, { max: 50 })),
      timeoutMs: optional(integer({ min: 1, max: MAX_MS })),
      expectMs: optional(integer({ min: 1, max: MAX_MS })),
      stuckAfterMs: optional(duration),
      maxOutputBytes: optional(integer({ min: LIMITS.minOutputBytes, max: LIMITS.maxOutputBytes })),
    }),
    result: result<Job>(),
    doc: 'Start a command (argv, or a shell string) under supervision; returns the job. Without `env` the job gets only PATH, HOME, USER, LOGNAME, SHELL, LANG, LC_ALL, TZ and TMPDIR from the daemon (the client library sends its caller\'s environment).',
  }),
  list: method({
    params: object({
      states: optional(array(literal(...JOB_STATE_KINDS))),
      name: optional(string({ min: 1, max: 200 })),
      tag: optional(string({ min: 1, max: 100 })),
      all: optional(boolean()),
      recentFinished: optional(integer({ min: 0, max: 100_000 })),
    }),
    result: result<JobSummary[]>(),
    doc: 'Jobs, oldest first: running ones plus the last finished ones, or all with `all`.',
  }),
  status: method({
    params: object({ job: jobRef, tree: optional(boolean()) }),
    result: result<JobStatus>(),
    doc: 'Every field of one job; with `tree`, its live process tree.',
  }),
  logs: method({
    params: object({
      job: jobRef,
      stream: optional(streamName),
      tailLines: optional(integer({ min: 0, max: LIMITS.count })),
      /** Epoch milliseconds: start with output that arrived at or after this time. */
      since: optional(integer({ min: 0 })),
      cursor: optional(object({ stdout: integer({ min: 0 }), stderr: integer({ min: 0 }) })),
      maxBytes: optional(integer({ min: 1, max: 8 << 20 })),
      waitMs: optional(integer({ min: 0, max: 60_000 })),
    }),
    result: result<LogsResult>(),
    doc: 'Read captured output from a cursor, the last N lines, or since a time; `waitMs` long-polls for new output.',
  }),
  kill: method({
    params: object({ jobs: jobRefs, signal: optional(signal), graceMs: optional(duration) }),
    result: result<KillResult[]>(),
    doc: 'Stop jobs: signal the group and marked descendants, SIGKILL what is left after the grace.',
  }),
  signal: method({
    params: object({ job: jobRef, signal }),
    result: result<{ id: JobId; signal: string; signalled: number[] }>(),
    doc: 'Send one signal to the whole job, without escalation.',
  }),
  wait: method({
    params: object({ jobs: jobRefs, timeoutMs: optional(duration) }),
    result: result<WaitResult>(),
    doc: 'Block until the jobs end (or the timeout passes).',
  }),
  rm: method({
    params: object({ jobs: jobRefs, force: optional(boolean()) }),
    result: result<{ removed: JobId[] }>(),
    doc: 'Remove finished jobs and their output; `force` kills running ones first.',
  }),
  prune: method({
    params: object({ olderThanMs: optional(duration) }),
    result: result<{ removed: JobId[] }>(),
    doc: 'Remove finished jobs that ended longer ago than `olderThanMs` (default: all finished).',
  }),
  adopt: method({
    params: object({
      pid: integer({ min: 1, max: 2 ** 31 }),
      name: optional(jobName),
      description: optional(string({ max: 2000 })),
      tags: optional(array(tag, { max: 50 })),
    }),
    result: result<Job>(),
    doc: 'Supervise a running process procd did not start (same user): sampling, flags, kill of its tree.',
  }),
  cleanup: method({
    params: object({
      dryRun: optional(boolean()),
      reapParents: optional(boolean()),
      retentionMs: optional(duration),
      maxRecords: optional(integer({ min: 0, max: LIMITS.count })),
    }),
    result: result<CleanupResult>(),
    doc: 'Kill leftovers of finished jobs, report zombies (stop their parents with reapParents), prune old records.',
  }),
  subscribe: method({
    params: object({
      jobs: optional(array(integer({ min: 1 }), { max: 1000 })),
      names: optional(array(string({ min: 1, max: 200 }), { max: 1000 })),
      tags: optional(array(string({ min: 1, max: 100 }), { max: 100 })),
      kinds: optional(array(literal(...EVENT_KINDS))),
      samples: optional(boolean()),
    }),
    result: result<{ subscribed: true; seq: number }>(),
    doc: 'Turn this connection into an event stream ("event" notifications); `seq` is the last event published so far.',
  }),
  'daemon.status': method({
    params: object({}),
    result: result<DaemonStatus>(),
    doc: 'The daemon: pid, version, uptime, socket, home, job counts, warnings.',
  }),
  'daemon.stop': method({
    params: object({ keepJobs: optional(boolean()) }),
    result: result<{ stopping: true; jobsStopped: number }>(),
    doc: 'Stop the daemon; running jobs are stopped with the kill procedure unless `keepJobs`.',
  }),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Infer<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = Methods[M]['result'] extends ResultType<infer R> ? R : never;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

export const PROTOCOL_VERSION = 1;
export const CAPABILITIES = ['jobs', 'logs.cursor', 'logs.longpoll', 'kill.tree', 'persist', 'monitor', 'flags', 'adopt', 'cleanup', 'events'] as const;
