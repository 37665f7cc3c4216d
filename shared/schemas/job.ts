// The job model as a schema: what the daemon answers (status, list, wait, events) and what it
// stores (state.json, the journal) are checked by the same one. Older records load: fields added
// later get their defaults here. A compile-time check keeps it equal to the types in shared/job.ts.

import * as v from 'valibot';
import { FLAG_KINDS, JOB_KINDS, JOB_STATE_KINDS, type ClearedFlag, type Command, type Job, type JobFlag, type JobState, type JobSummary, type JobView, type KillRecord, type OutputInfo, type QueueReason, type ResourceSample, type ResourceStats, type SpawnError } from '../job.js';
import { LIMIT_KINDS, ON_LIMIT_ACTIONS, type JobLimits, type LimitViolation } from '../limits.js';
import { OUTCOME_KINDS } from '../outcomes.js';
import { RESTART_POLICIES, type RestartSpec, type RunRecord, type RunsInfo } from '../restart.js';
import type { Health } from '../health.js';
import type { JobOwner } from '../owner.js';
import type { JobRow } from '../job-row.js';
import type { JobProbes, ProbeSpec, ProbeStatus } from '../probes.js';
import { DEPENDENCY_CONDITIONS, type Declared, type Dependency, type QueueStanding } from '../queue.js';
import { ProbeConditionSchema } from './conditions.js';
import { EtaSchema, JobProgressSchema } from './progress.js';
import { JobOwnerSchema } from './owner.js';

const num = v.number();
const numOrNull = v.nullable(v.number());
const strList = v.array(v.string());
const numList = v.array(v.number());

export const CommandSchema = v.variant('kind', [
  v.object({ kind: v.literal('argv'), argv: strList }),
  v.object({ kind: v.literal('shell'), script: v.string(), shell: v.string() }),
  v.object({ kind: v.literal('adopted'), argv: strList, leadsGroup: v.optional(v.boolean()) }),
]);

export const JobLimitsSchema = v.object({
  maxMemoryBytes: numOrNull,
  maxCpuPercent: numOrNull,
  maxFds: numOrNull,
  maxProcs: numOrNull,
  onLimit: v.picklist(ON_LIMIT_ACTIONS),
});

export const LimitViolationSchema = v.object({ limit: v.picklist(LIMIT_KINDS), value: num, max: num, at: num, action: v.picklist(ON_LIMIT_ACTIONS) });

export const RestartSpecSchema = v.object({
  policy: v.picklist(RESTART_POLICIES),
  delayMs: num,
  factor: num,
  maxDelayMs: num,
  jitter: num,
  stableMs: num,
  maxRestarts: numOrNull,
  windowMs: num,
});

export const ProbeSpecSchema = v.object({
  when: ProbeConditionSchema,
  intervalMs: num,
  timeoutMs: num,
  initialDelayMs: num,
  successThreshold: num,
  failureThreshold: num,
});

export const JobProbesSchema = v.object({ ready: v.optional(ProbeSpecSchema), alive: v.optional(ProbeSpecSchema) });

export const DependencySchema = v.object({ job: num, ref: v.string(), condition: v.picklist(DEPENDENCY_CONDITIONS) });
export const DeclaredSchema = v.object({ project: v.string(), entry: v.string(), file: v.string(), hash: v.string() });

export const JobSpecSchema = v.object({
  command: CommandSchema,
  /** Older records have no kind: they were all tasks. */
  kind: v.optional(v.picklist(JOB_KINDS), 'task'),
  cwd: v.string(),
  env: v.record(v.string(), v.string()),
  timeoutMs: numOrNull,
  expectMs: numOrNull,
  stuckAfterMs: num,
  maxOutputBytes: num,
  /** Older records stopped every job with SIGTERM and the daemon's grace. */
  stopSignal: v.optional(v.string(), 'SIGTERM'),
  stopGraceMs: v.optional(numOrNull, null),
  limits: v.optional(JobLimitsSchema),
  restart: v.optional(RestartSpecSchema),
  probes: v.optional(JobProbesSchema),
  group: v.optional(v.string()),
  priority: v.optional(num),
  after: v.optional(v.array(DependencySchema)),
  declared: v.optional(DeclaredSchema),
});

export const SignalInfoSchema = v.object({ name: v.string(), number: num });

export const KillRecordSchema = v.object({
  reason: v.picklist(['user', 'timeout', 'shutdown', 'cleanup', 'limit', 'liveness']),
  limit: v.optional(v.picklist(LIMIT_KINDS)),
  requestedAt: num,
  signal: v.string(),
  graceMs: num,
  signalled: numList,
  forced: numList,
});

export const SpawnErrorSchema = v.object({ code: v.string(), message: v.string(), step: v.optional(v.picklist(['chdir', 'exec'])) });

/** Why a queued job is not running yet (later issues add slots, dependencies, backoff). */
export const QueueReasonSchema = v.variant('kind', [
  v.object({ kind: v.literal('not_before'), at: num, detail: v.string() }),
  v.object({ kind: v.literal('restart'), at: num, detail: v.string(), delayMs: num, run: num }),
  v.object({ kind: v.literal('queue'), detail: v.string() }),
]);

export const QueueStandingSchema = v.object({ waitsFor: v.picklist(['dependencies', 'slot', 'paused_group', 'resources']), detail: v.string(), position: num });

/** Fields of every ended state; pid and startTicks are absent in older records (outcomes are derived by upgrade-record.ts). */
const ended = {
  outcome: v.picklist(OUTCOME_KINDS),
  outcomeDetail: v.optional(v.nullable(v.string()), null),
  exitCode: numOrNull,
  signal: v.nullable(SignalInfoSchema),
  startedAt: num,
  endedAt: num,
  durationMs: num,
  pid: v.optional(numOrNull, null),
  startTicks: v.optional(numOrNull, null),
};

/** readopt() and kill signal a running job's pid: it must be a real one. */
const livePid = v.pipe(num, v.integer(), v.minValue(1));

const liveProcess = { pid: livePid, startTicks: v.optional(numOrNull, null), shimPid: v.optional(numOrNull, null) };

/** Paused time kept out of the run's clocks (absent in older records and before the first resume). */
const pauseClock = { pausedMs: v.optional(num), quietSince: v.optional(num) };

export const JobStateSchema = v.variant('kind', [
  v.object({ kind: v.literal('queued'), queuedAt: num, reason: QueueReasonSchema }),
  v.object({ kind: v.literal('starting'), since: num }),
  v.object({ kind: v.literal('running'), startedAt: num, ...liveProcess, ...pauseClock }),
  v.object({ kind: v.literal('paused'), startedAt: num, pausedAt: num, pausedBy: v.optional(v.picklist(['freezer', 'signals'])), ...liveProcess, ...pauseClock }),
  v.object({ kind: v.literal('completed'), ...ended }),
  v.object({ kind: v.literal('failed'), spawnError: v.nullable(SpawnErrorSchema), ...ended }),
  v.object({ kind: v.literal('killed'), kill: v.nullable(KillRecordSchema), forced: v.boolean(), ...ended }),
  v.object({ kind: v.literal('timed_out'), kill: KillRecordSchema, forced: v.boolean(), ...ended }),
  v.object({ kind: v.literal('lost'), reason: v.string(), ...ended }),
]);

export const JobStateKindSchema = v.picklist(JOB_STATE_KINDS);

export const JobFlagSchema = v.object({
  kind: v.picklist(FLAG_KINDS),
  raisedAt: num,
  detail: v.string(),
  severity: v.picklist(['medium', 'high']),
  pids: numList,
  data: v.record(v.string(), v.union([num, v.string(), numList, v.null()])),
});

export const ClearedFlagSchema = v.object({ ...JobFlagSchema.entries, clearedAt: num });

export const ResourceSampleSchema = v.object({
  at: num,
  cpuPercent: numOrNull,
  cpuTimeMs: v.optional(num),
  rssBytes: num,
  mainRssBytes: num,
  processes: num,
  threads: num,
  fds: numOrNull,
  states: v.record(v.string(), num),
});

export const ResourceStatsSchema = v.object({
  samples: num,
  cpuSamples: num,
  cpuPeak: num,
  cpuAvg: num,
  rssPeak: num,
  rssAvg: num,
  processesPeak: num,
  last: v.nullable(ResourceSampleSchema),
});

const NO_OUTPUT = { stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null };

export const OutputInfoSchema = v.object({
  stdoutBytes: num,
  stderrBytes: num,
  droppedBytes: num,
  lostBytes: v.optional(num),
  lastOutputAt: numOrNull,
});

export const RunRecordSchema = v.object({
  run: num,
  state: v.picklist(['completed', 'failed', 'killed', 'timed_out', 'lost']),
  outcome: v.picklist(OUTCOME_KINDS),
  outcomeDetail: v.nullable(v.string()),
  exitCode: numOrNull,
  signal: v.nullable(SignalInfoSchema),
  startedAt: num,
  endedAt: num,
  durationMs: num,
  pid: numOrNull,
  dir: v.string(),
  then: v.picklist(['restart', 'manual_restart', 'resurrect']),
  outputRemoved: v.optional(v.boolean()),
});

export const RunsInfoSchema = v.object({
  current: num,
  restarts: num,
  earlier: v.array(RunRecordSchema),
  history: v.object({ restartTimes: numList, quickFailures: num }),
});

const ProbeResultSchema = v.object({ at: num, ok: v.boolean(), detail: v.string() });
const ProbeProgressSchema = v.object({ checks: num, passes: num, failures: num, last: v.nullable(ProbeResultSchema) });

export const ProbeStatusSchema = v.object({
  ready: v.nullable(v.object({ at: num, tookMs: num })),
  unhealthySince: numOrNull,
  readiness: v.optional(ProbeProgressSchema),
  liveness: v.optional(ProbeProgressSchema),
});

export const HealthSchema = v.object({ score: num, reasons: v.array(v.object({ points: num, why: v.string() })) });

/** A socket the job's tree listens on (shared/ports.ts). */
export const ListeningPortSchema = v.object({ port: num, protocol: v.picklist(['tcp', 'udp']), address: v.string(), pid: num });

const jobId = v.pipe(num, v.integer(), v.minValue(1), v.maxValue(Number.MAX_SAFE_INTEGER));

const jobBase = {
  id: jobId,
  name: v.string(),
  description: v.optional(v.nullable(v.string()), null),
  tags: v.optional(strList, () => []),
  createdAt: num,
  state: JobStateSchema,
  pendingKill: v.optional(v.nullable(KillRecordSchema), null),
  flags: v.optional(v.array(JobFlagSchema), () => []),
  flagHistory: v.optional(v.array(ClearedFlagSchema), () => []),
  resources: v.optional(v.nullable(ResourceStatsSchema), null),
  output: v.optional(OutputInfoSchema, () => ({ ...NO_OUTPUT })),
  dir: v.string(),
  cgroup: v.optional(v.nullable(v.string())),
  violations: v.optional(v.array(LimitViolationSchema)),
  runs: v.optional(RunsInfoSchema),
  probes: v.optional(ProbeStatusSchema),
  standing: v.optional(QueueStandingSchema),
  afterMet: v.optional(numList),
  progress: v.optional(JobProgressSchema),
  /** Absent in records written before owners. */
  owner: v.optional(JobOwnerSchema),
  ports: v.optional(v.array(ListeningPortSchema)),
};

/** A job, on the wire and on disk. Unknown fields (from a newer procd) are dropped, not refused. */
export const JobSchema = v.object({ ...jobBase, spec: JobSpecSchema });

/** One line of `list`: the job without its environment. */
const { env: _env, ...specWithoutEnv } = JobSpecSchema.entries;
export const JobSummarySchema = v.object({ ...jobBase, spec: v.object({ ...specWithoutEnv, envCount: num, commandShortened: v.optional(v.object({ items: num, chars: num })) }), health: v.optional(HealthSchema), eta: v.optional(EtaSchema) });

/** One row of `procd ls` (method `rows`, shared/job-row.ts): the summary's fields the table reads. */
export const JobRowSchema = v.object({
  ...v.pick(JobSummarySchema, ['id', 'name', 'state', 'pendingKill', 'flags', 'resources', 'runs', 'probes', 'standing', 'afterMet', 'progress', 'owner', 'ports', 'health', 'eta']).entries,
  spec: v.pick(JobSummarySchema.entries.spec, ['kind', 'command', 'commandShortened', 'restart', 'probes', 'group', 'priority', 'after']),
});

/** A job as the daemon answers it: `envCount` always, `env` (the values) only when asked. */
export const JobViewSchema = v.object({ ...jobBase, spec: v.object({ ...specWithoutEnv, envCount: num, env: v.optional(v.record(v.string(), v.string())) }), health: v.optional(HealthSchema), eta: v.optional(EtaSchema) });

// The schema and shared/job.ts describe the same values: a change to one that the other lacks is a compile error.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type JobSchemaMatchesTypes = [
  Assert<Same<v.InferOutput<typeof JobSchema>, Job>>,
  Assert<Same<v.InferOutput<typeof JobStateSchema>, JobState>>,
  Assert<Same<v.InferOutput<typeof CommandSchema>, Command>>,
  Assert<Same<v.InferOutput<typeof KillRecordSchema>, KillRecord>>,
  Assert<Same<v.InferOutput<typeof SpawnErrorSchema>, SpawnError>>,
  Assert<Same<v.InferOutput<typeof JobFlagSchema>, JobFlag>>,
  Assert<Same<v.InferOutput<typeof ClearedFlagSchema>, ClearedFlag>>,
  Assert<Same<v.InferOutput<typeof ResourceSampleSchema>, ResourceSample>>,
  Assert<Same<v.InferOutput<typeof ResourceStatsSchema>, ResourceStats>>,
  Assert<Same<v.InferOutput<typeof OutputInfoSchema>, OutputInfo>>,
  Assert<Same<v.InferOutput<typeof JobSummarySchema>, JobSummary>>,
  Assert<Same<v.InferOutput<typeof JobRowSchema>, JobRow>>,
  Assert<Same<v.InferOutput<typeof JobViewSchema>, JobView>>,
  Assert<Same<v.InferOutput<typeof QueueReasonSchema>, QueueReason>>,
  Assert<Same<v.InferOutput<typeof JobLimitsSchema>, JobLimits>>,
  Assert<Same<v.InferOutput<typeof LimitViolationSchema>, LimitViolation>>,
  Assert<Same<v.InferOutput<typeof JobStateKindSchema>, JobState['kind']>>,
  Assert<Same<v.InferOutput<typeof RestartSpecSchema>, RestartSpec>>,
  Assert<Same<v.InferOutput<typeof RunRecordSchema>, RunRecord>>,
  Assert<Same<v.InferOutput<typeof RunsInfoSchema>, RunsInfo>>,
  Assert<Same<v.InferOutput<typeof ProbeSpecSchema>, ProbeSpec>>,
  Assert<Same<v.InferOutput<typeof JobProbesSchema>, JobProbes>>,
  Assert<Same<v.InferOutput<typeof ProbeStatusSchema>, ProbeStatus>>,
  Assert<Same<v.InferOutput<typeof HealthSchema>, Health>>,
  Assert<Same<v.InferOutput<typeof DependencySchema>, Dependency>>,
  Assert<Same<v.InferOutput<typeof DeclaredSchema>, Declared>>,
  Assert<Same<v.InferOutput<typeof QueueStandingSchema>, QueueStanding>>,
  Assert<Same<v.InferOutput<typeof JobOwnerSchema>, JobOwner>>,
];
