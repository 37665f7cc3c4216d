// analyze and stats (issue 14): the analysers (daemon/analysis/) over the job table and the
// history; the only I/O is reading the last output line of each stuck job.

import { totalmem } from 'node:os';
import { ANALYZE_DEFAULT_SINCE_MS, type AnalyzeReport, type StatsReport, type Stuck } from '../../shared/analyze.js';
import { FLAG_KINDS, type FlagKind } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import type { HistoryRun } from '../../shared/history.js';
import { analyze as analyzeJobs } from '../analysis/analyze.js';
import { isFailureState } from '../analysis/input.js';
import type { CallContext } from '../server/dispatch.js';
import type { DaemonContext } from './context.js';
import { logs } from './logs.js';

/** A last line is read from at most this many bytes at the end of the output. */
const LAST_LINE_BYTES = 4096;
const LAST_LINE_CHARS = 240;
/** Last lines are read for the longest-silent this many stuck jobs (one small read each); the others say so. */
const LAST_LINES_READ = 20;

export async function analyze(ctx: DaemonContext, params: ParamsOf<'analyze'>, call: CallContext): Promise<AnalyzeReport> {
  const now = Date.now();
  const since = now - (params.sinceMs ?? ANALYZE_DEFAULT_SINCE_MS);
  const history = ctx.history;
  const report = analyzeJobs({
    now,
    since,
    jobs: [...ctx.table.all()],
    // The store's columns read in place (building 100,000 HistoryRun objects took ~150 ms); analyzeJobs is synchronous, so they cannot change meanwhile.
    runs: history.runTableSince(since),
    baseline: (signature) => history.baseline(signature),
    thresholds: ctx.monitor.thresholds,
    totalMemoryBytes: totalmem(),
  });
  // Longest silent first (stuckJobs' order): those get their last line.
  report.stuck = await Promise.all(report.stuck.map((s, i) => (i < LAST_LINES_READ ? withLastLine(ctx, s, call) : { ...s, lastLineNote: `not read (only the ${LAST_LINES_READ} longest silent are): procd logs ${s.jobId} --tail 1` })));
  return report;
}

/**
 * The stuck job's last line of output (either stream); a read that fails says why instead. Read even
 * when the record says it wrote nothing: the record's lastOutputAt is refreshed on the monitor's tick.
 */
async function withLastLine(ctx: DaemonContext, s: Stuck, call: CallContext): Promise<Stuck> {
  try {
    const r = await logs(ctx, { job: s.jobId, tailLines: 1, maxBytes: LAST_LINE_BYTES }, call);
    const text = r.chunks.map((c) => c.text ?? Buffer.from(c.data, 'base64').toString('utf8')).join('');
    const line = text.split('\n').filter((l) => l.trim() !== '').at(-1) ?? null;
    if (line === null) return { ...s, lastLineNote: text === '' ? 'it has written nothing' : 'its last output is blank' };
    return { ...s, lastLine: line.length > LAST_LINE_CHARS ? `${line.slice(0, LAST_LINE_CHARS - 1)}…` : line, lastLineNote: null };
  } catch (err) {
    return { ...s, lastLineNote: `could not read its output: ${(err as Error).message}` };
  }
}

export function stats(ctx: DaemonContext): StatsReport {
  const now = Date.now();
  const flags = Object.fromEntries(FLAG_KINDS.map((k) => [k, 0])) as Record<FlagKind, number>;
  for (const job of ctx.table.all()) for (const f of job.flags) flags[f.kind]++;
  // Counted from the store's columns: building every run (runsSince(0)) cost ~150 ms at 100,000.
  const tally = ctx.history.tally();
  const counts = Object.entries(tally.byState) as [HistoryRun['state'], number][];
  const runs = counts.reduce((n, [, k]) => n + k, 0);
  const failures = counts.reduce((n, [state, k]) => n + (isFailureState(state) ? k : 0), 0);
  const { restarts } = tally;
  const oldestAt = tally.oldestEndedAt;
  return {
    uptimeMs: now - ctx.startedAt,
    startedAt: ctx.startedAt,
    states: ctx.table.counts(),
    flags,
    history: { runs, failures, failureRate: runs ? Math.round((failures / runs) * 1000) / 1000 : 0, restarts, oldestAt },
  };
}
