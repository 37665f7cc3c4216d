// Params and result of `trends` (issue 14, shared/trends.ts), spread into METHOD_SCHEMAS (methods.ts).

import * as v from 'valibot';
import { LIMITS } from '../field-limits.js';
import { int, obj, opt } from './valid.js';

const nullableNumber = v.nullable(v.number());

const bucket = v.object({
  start: v.number(),
  started: v.number(),
  ended: v.number(),
  failures: v.number(),
  failureRate: nullableNumber,
  avgDurationMs: nullableNumber,
  p95DurationMs: nullableNumber,
  avgCpuPercent: nullableNumber,
  avgRssBytes: nullableNumber,
  timeSinks: v.number(),
  stuck: v.number(),
  restarts: v.number(),
});

export const TRENDS_METHOD_SCHEMAS = {
  trends: {
    params: obj({ sinceMs: opt(int({ min: 1, max: LIMITS.durationMs })), bucketMs: opt(int({ min: 1000, max: LIMITS.durationMs })) }),
    result: v.object({ since: v.number(), until: v.number(), bucketMs: v.number(), buckets: v.array(bucket) }),
    example: {
      params: { sinceMs: 3_600_000, bucketMs: 1_800_000 },
      result: {
        since: 1767225600000,
        until: 1767229000000,
        bucketMs: 1800000,
        buckets: [
          { start: 1767225600000, started: 12, ended: 11, failures: 1, failureRate: 0.0909, avgDurationMs: 41000, p95DurationMs: 65000, avgCpuPercent: 37.5, avgRssBytes: 210000000, timeSinks: 1, stuck: 0, restarts: 2 },
          { start: 1767227400000, started: 3, ended: 0, failures: 0, failureRate: null, avgDurationMs: null, p95DurationMs: null, avgCpuPercent: 12, avgRssBytes: 90000000, timeSinks: 0, stuck: 0, restarts: 0 },
        ],
      },
    },
  },
};
