// The schemas of `analyze` and `stats` (issue 14): params, and the reports of shared/analyze.ts, which
// a compile-time check below keeps equal to these.

import * as v from 'valibot';
import { REPORT_LIMITS, type AnalyzeReport, type ReportList, type StatsReport } from '../analyze.js';
import { FLAG_KINDS, JOB_STATE_KINDS, type FlagKind, type JobStateKind } from '../job.js';
import { MAX_MS } from './method-fields.js';
import { int, obj, opt } from './valid.js';

const num = v.number();
const nstr = v.nullable(v.string());
const severity = v.picklist(['medium', 'high']);
const priority = v.picklist(['high', 'medium', 'low']);
const ref = { jobId: num, name: v.string(), run: v.nullable(num) };
const jobRef = v.object(ref);
const countsOf = <K extends string>(keys: readonly K[]) => v.object(Object.fromEntries(keys.map((k) => [k, num])) as Record<K, typeof num>);
const countOf = <S extends v.GenericSchema>(value: S) => v.array(v.object({ value, count: num }));

const runStats = {
  runs: num,
  failures: num,
  failureRate: num,
  avgMs: v.nullable(num),
  p50Ms: v.nullable(num),
  p95Ms: v.nullable(num),
  exitCodes: countOf(num),
  signals: countOf(v.string()),
  restarts: num,
};
const processProblem = v.object({ ...ref, kind: v.picklist(['leftovers', 'zombie']), pids: v.array(num), detail: v.string(), raisedAt: num, clearedAt: v.nullable(num) });

export const AnalyzeReportSchema = v.object({
  generatedAt: num,
  since: num,
  headline: v.object({
    liveJobs: num,
    runs: num,
    failures: num,
    timeSinks: num,
    bottlenecks: num,
    stuck: num,
    errors: num,
    duplicates: num,
    overlaps: num,
    portConflicts: num,
    leftovers: num,
    zombies: num,
    recommendations: v.object({ high: num, medium: num, low: num }),
  }),
  timeSinks: v.array(v.object({ ...ref, live: v.boolean(), command: v.string(), elapsedMs: num, expectedMs: num, ratio: num, source: v.picklist(['given', 'learned']), severity })),
  bottlenecks: v.array(
    v.object({
      ...ref,
      command: v.string(),
      cpuPercent: v.nullable(num),
      rssBytes: num,
      memoryShare: num,
      over: v.array(v.string()),
      flaggedAt: v.nullable(num),
      severity,
      holdsUp: v.object({
        queued: v.array(v.object({ jobId: num, name: v.string(), group: v.string(), waitsFor: v.picklist(['slot', 'resources']), detail: v.string() })),
        slowed: v.array(v.object({ jobId: num, name: v.string(), cpuAvg: num, cpuNow: num })),
      }),
    }),
  ),
  stuck: v.array(v.object({ ...ref, command: v.string(), silentMs: num, progressStalledAt: v.optional(v.string()), stuckAfterMs: num, lastOutputAt: v.nullable(num), lastLine: nstr, lastLineNote: nstr })),
  patterns: v.object({
    overall: v.object(runStats),
    bySignature: v.array(
      v.object({
        ...runStats,
        signature: v.string(),
        command: v.string(),
        cwd: v.string(),
        name: v.string(),
        lastJobId: num,
        trend: v.nullable(v.object({ runs: num, slopeMsPerRun: num, relativeSlope: num, tScore: num, direction: v.picklist(['slower', 'faster', 'flat']) })),
        flipRate: num,
        flaky: v.boolean(),
      }),
    ),
  }),
  commonErrors: v.array(v.object({ signature: v.string(), detail: nstr, count: num, example: v.string(), runs: v.array(jobRef), commands: v.array(v.string()), lastAt: num })),
  duplicates: v.array(v.object({ signature: v.string(), command: v.string(), jobs: v.array(jobRef) })),
  overlaps: v.array(v.object({ signature: v.string(), command: v.string(), cwd: v.string(), name: v.string(), times: num, latest: v.array(jobRef), at: num })),
  portConflicts: v.array(v.object({ ...ref, port: nstr, at: num, holders: v.array(v.object({ ...ref, live: v.boolean() })), claim: v.optional(v.picklist(['declared', 'listening'])), protocol: v.optional(v.picklist(['tcp', 'udp'])) })),
  leftovers: v.array(processProblem),
  zombies: v.array(processProblem),
  recommendations: v.array(
    v.object({
      priority,
      reason: v.string(),
      evidence: v.object({ jobIds: v.array(num), figures: v.record(v.string(), v.union([num, v.string()])) }),
      command: v.string(),
    }),
  ),
  omitted: countsOf<ReportList>(Object.keys(REPORT_LIMITS) as ReportList[]),
});

export const StatsReportSchema = v.object({
  uptimeMs: num,
  startedAt: num,
  states: countsOf<JobStateKind>(JOB_STATE_KINDS),
  flags: countsOf<FlagKind>(FLAG_KINDS),
  history: v.object({ runs: num, failures: num, failureRate: num, restarts: num, oldestAt: v.nullable(num) }),
});

const EXAMPLE_REPORT: AnalyzeReport = {
  generatedAt: 1767229200000,
  since: 1767142800000,
  headline: { liveJobs: 2, runs: 3, failures: 3, timeSinks: 1, bottlenecks: 0, stuck: 0, errors: 3, duplicates: 0, overlaps: 0, portConflicts: 0, leftovers: 0, zombies: 0, recommendations: { high: 1, medium: 1, low: 0 } },
  timeSinks: [{ jobId: 12, name: 'build', run: null, live: true, command: 'make all', elapsedMs: 372000, expectedMs: 120000, ratio: 3.1, source: 'given', severity: 'high' }],
  bottlenecks: [],
  stuck: [],
  patterns: {
    overall: { runs: 3, failures: 3, failureRate: 1, avgMs: 310, p50Ms: 300, p95Ms: 350, exitCodes: [{ value: 1, count: 3 }], signals: [], restarts: 2 },
    bySignature: [
      {
        signature: '["node","server.js"]@/home/me/app', command: 'node server.js', cwd: '/home/me/app', name: 'web', lastJobId: 9,
        runs: 3, failures: 3, failureRate: 1, avgMs: 310, p50Ms: 300, p95Ms: 350, exitCodes: [{ value: 1, count: 3 }], signals: [], restarts: 2,
        trend: null, flipRate: 0, flaky: false,
      },
    ],
  },
  commonErrors: [{ signature: 'EADDRINUSE', detail: '3000', count: 3, example: 'Error: listen EADDRINUSE: address already in use :::3000', runs: [{ jobId: 9, name: 'web', run: 3 }], commands: ['node server.js'], lastAt: 1767229100000 }],
  duplicates: [],
  overlaps: [],
  portConflicts: [],
  leftovers: [],
  zombies: [],
  omitted: { timeSinks: 0, bottlenecks: 0, stuck: 0, bySignature: 0, commonErrors: 0, duplicates: 0, overlaps: 0, portConflicts: 0, leftovers: 0, zombies: 0, recommendations: 0 },
  recommendations: [
    { priority: 'high', reason: 'job 12 (build) has run 6m12s, 3.1× its expected 2m00s: stop it', evidence: { jobIds: [12], figures: { ratio: 3.1, elapsedMs: 372000, expectedMs: 120000 } }, command: 'procd kill 12' },
    { priority: 'medium', reason: 'EADDRINUSE (3000) in 3 runs of restarts: the previous run has not let go of the port yet; wait longer before restarting', evidence: { jobIds: [9], figures: { count: 3, latestJob: 9 } }, command: 'procd track --restart-delay 5s --cwd /home/me/app -- node server.js' },
  ],
};

export const ANALYZE_METHOD_SCHEMAS = {
  analyze: {
    params: obj({ sinceMs: opt(int({ min: 1, max: MAX_MS })) }),
    result: AnalyzeReportSchema,
    example: { params: { sinceMs: 3_600_000 }, result: EXAMPLE_REPORT },
  },
  stats: {
    params: obj({}),
    result: StatsReportSchema,
    example: {
      params: {},
      result: {
        uptimeMs: 600000,
        startedAt: 1767225000000,
        states: { queued: 0, starting: 0, running: 2, paused: 0, completed: 5, failed: 1, killed: 0, timed_out: 0, lost: 0 },
        flags: { stuck: 0, time_sink: 1, bottleneck: 0, zombie: 0, leftovers: 0, unhealthy: 0 },
        history: { runs: 120, failures: 9, failureRate: 0.075, restarts: 4, oldestAt: 1766620200000 },
      } satisfies StatsReport,
    },
  },
};

// The schemas and the types of shared/analyze.ts say the same: each is assignable to the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type AnalyzeSchemaMatchesType = [Assert<Same<v.InferOutput<typeof AnalyzeReportSchema>, AnalyzeReport>>, Assert<Same<v.InferOutput<typeof StatsReportSchema>, StatsReport>>];
