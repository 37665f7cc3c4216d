// The whole `analyze` report: every analyser over the same input, then the recommendations from
// their findings and the headline counts. Pure: the handler gives it the table, the history and
// the time.

import type { AnalyzeReport } from '../../shared/analyze.js';
import { isLive } from '../../shared/job.js';
import { bottlenecks } from './bottlenecks.js';
import { commonErrors } from './common-errors.js';
import { duplicates, portConflicts } from './duplicates.js';
import type { AnalysisInput } from './input.js';
import { processProblems } from './leftovers.js';
import { overlaps } from './overlaps.js';
import { patterns } from './patterns.js';
import { recommendations } from './recommendations.js';
import { stuckJobs } from './stuck.js';
import { timeSinks } from './time-sinks.js';

export type { AnalysisInput } from './input.js';

export function analyze(input: AnalysisInput): AnalyzeReport {
  const findings = {
    timeSinks: timeSinks(input),
    bottlenecks: bottlenecks(input),
    stuck: stuckJobs(input),
    patterns: patterns(input.runs),
    commonErrors: commonErrors(input.runs),
    duplicates: duplicates(input),
    overlaps: overlaps(input.runs),
    portConflicts: portConflicts(input),
    ...processProblems(input),
  };
  const recs = recommendations(findings, input.runs);
  let liveJobs = 0;
  for (const job of input.jobs) if (isLive(job.state)) liveJobs++;
  return {
    generatedAt: input.now,
    since: input.since,
    headline: {
      liveJobs,
      runs: findings.patterns.overall.runs,
      failures: findings.patterns.overall.failures,
      timeSinks: findings.timeSinks.length,
      bottlenecks: findings.bottlenecks.length,
      stuck: findings.stuck.length,
      errors: findings.commonErrors.reduce((n, e) => n + e.count, 0),
      duplicates: findings.duplicates.length,
      overlaps: findings.overlaps.length,
      portConflicts: findings.portConflicts.length,
      leftovers: findings.leftovers.length,
      zombies: findings.zombies.length,
      recommendations: {
        high: recs.filter((r) => r.priority === 'high').length,
        medium: recs.filter((r) => r.priority === 'medium').length,
        low: recs.filter((r) => r.priority === 'low').length,
      },
    },
    ...findings,
    recommendations: recs,
  };
}
