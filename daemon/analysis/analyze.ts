// The whole `analyze` report: every analyser over the same input, then the recommendations from
// their findings and the headline counts. Pure: the handler gives it the table, the history and
// the time.

import { REPORT_LIMITS, type AnalyzeReport, type ReportList } from '../../shared/analyze.js';
import { isLive } from '../../shared/job.js';
import { bottlenecks } from './bottlenecks.js';
import { commonErrors } from './common-errors.js';
import { duplicates, portConflicts } from './duplicates.js';
import { portClaims } from './port-claims.js';
import type { AnalysisInput } from './input.js';
import { processProblems } from './leftovers.js';
import { overlaps } from './overlaps.js';
import { patterns } from './patterns.js';
import { recommendations } from './recommendations.js';
import { runTable } from './runs.js';
import { stuckJobs } from './stuck.js';
import { timeSinks } from './time-sinks.js';

export type { AnalysisInput } from './input.js';

export function analyze(given: AnalysisInput): AnalyzeReport {
  // Every analyser reads the runs through one table (the store's columns, or the array wrapped once).
  const input = { ...given, runs: runTable(given.runs) };
  const all = {
    timeSinks: timeSinks(input),
    bottlenecks: bottlenecks(input),
    stuck: stuckJobs(input),
    patterns: patterns(input.runs),
    commonErrors: commonErrors(input.runs),
    duplicates: duplicates(input),
    overlaps: overlaps(input),
    portConflicts: [...portClaims(input), ...portConflicts(input)],
    ...processProblems(input),
  };
  // Each list keeps its first REPORT_LIMITS items (each is sorted most important first), so the
  // answer stays far below the 4 MiB frame whatever the history holds (10,000 distinct commands);
  // `omitted` says how many were left out. Recommendations are made from what is kept, so their
  // evidence is always in the report.
  const omitted = {} as Record<ReportList, number>;
  const keep = <T>(list: ReportList, items: T[]): T[] => {
    omitted[list] = Math.max(0, items.length - REPORT_LIMITS[list]);
    return items.slice(0, REPORT_LIMITS[list]);
  };
  const findings = {
    timeSinks: keep('timeSinks', all.timeSinks),
    bottlenecks: keep('bottlenecks', all.bottlenecks),
    stuck: keep('stuck', all.stuck),
    patterns: { overall: all.patterns.overall, bySignature: keep('bySignature', all.patterns.bySignature) },
    commonErrors: keep('commonErrors', all.commonErrors),
    duplicates: keep('duplicates', all.duplicates),
    overlaps: keep('overlaps', all.overlaps),
    portConflicts: keep('portConflicts', all.portConflicts),
    leftovers: keep('leftovers', all.leftovers),
    zombies: keep('zombies', all.zombies),
  };
  const recs = keep('recommendations', recommendations(findings, input.runs));
  let liveJobs = 0;
  for (const job of input.jobs) if (isLive(job.state)) liveJobs++;
  return {
    generatedAt: input.now,
    since: input.since,
    // Counts of everything found, also what the lists leave out.
    headline: {
      liveJobs,
      runs: all.patterns.overall.runs,
      failures: all.patterns.overall.failures,
      timeSinks: all.timeSinks.length,
      bottlenecks: all.bottlenecks.length,
      stuck: all.stuck.length,
      errors: all.commonErrors.reduce((n, e) => n + e.count, 0),
      duplicates: all.duplicates.length,
      overlaps: all.overlaps.length,
      portConflicts: all.portConflicts.length,
      leftovers: all.leftovers.length,
      zombies: all.zombies.length,
      recommendations: {
        high: recs.filter((r) => r.priority === 'high').length,
        medium: recs.filter((r) => r.priority === 'medium').length,
        low: recs.filter((r) => r.priority === 'low').length,
      },
    },
    ...findings,
    recommendations: recs,
    omitted,
  };
}
