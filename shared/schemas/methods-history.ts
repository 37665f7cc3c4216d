// The history method's params and result (issue 14), spread into METHOD_SCHEMAS (methods.ts).

import * as v from 'valibot';
import { HistoryRunSchema } from './history.js';
import { jobRef } from './method-fields.js';
import { int, obj, opt } from './valid.js';

const EXAMPLE_RUN = {
  seq: 118,
  jobId: 12,
  run: 1,
  name: 'build',
  signature: '["make","-j8"]@/home/me/src',
  command: 'make -j8',
  cwd: '/home/me/src',
  tags: [],
  group: 'default',
  kind: 'task' as const,
  startedAt: 1764756000000,
  endedAt: 1764756042000,
  durationMs: 42000,
  state: 'failed' as const,
  outcome: 'exit' as const,
  outcomeDetail: null,
  exitCode: 2,
  signal: null,
  restarts: 0,
  cpuPeak: 780.5,
  cpuAvg: 512.2,
  rssPeak: 1073741824,
  rssAvg: 536870912,
  flags: ['bottleneck' as const],
  violations: [],
  readyAfterMs: null,
  stderrTail: ['make: *** [Makefile:12: all] Error 2'],
  errors: [],
};

export const HISTORY_METHOD_SCHEMAS = {
  history: {
    params: obj({ job: opt(jobRef), since: opt(int({ min: 0 })), limit: opt(int({ min: 1, max: 10_000 })) }),
    result: v.object({ runs: v.array(HistoryRunSchema), total: v.number() }),
    example: { params: { job: 'build', limit: 1 }, result: { runs: [EXAMPLE_RUN], total: 2318 } },
  },
};
