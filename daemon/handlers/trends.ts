// trends: the history per time bucket (daemon/analysis/trends.ts over the history and the live jobs).

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import { firstBucketStart, trendsOf, TrendsRangeError } from '../analysis/trends.js';
import type { DaemonContext } from './context.js';

export const DEFAULT_TRENDS_SINCE_MS = 3_600_000;
export const DEFAULT_TRENDS_BUCKET_MS = 300_000;

export function trends(ctx: DaemonContext, params: ParamsOf<'trends'>): ResultOf<'trends'> {
  const now = Date.now();
  const bucketMs = params.bucketMs ?? DEFAULT_TRENDS_BUCKET_MS;
  // The first bucket starts at a boundary before `since`: its runs are read from there, or it would look emptier than it was.
  const since = firstBucketStart(now - (params.sinceMs ?? DEFAULT_TRENDS_SINCE_MS), bucketMs);
  try {
    return trendsOf({ now, since, bucketMs, runs: ctx.history.runTableSince(since), jobs: ctx.table.all() });
  } catch (err) {
    if (err instanceof TrendsRangeError) throw new ProcdError(ErrorCode.InvalidParams, err.message, { field: 'params.bucketMs' });
    throw err;
  }
}
