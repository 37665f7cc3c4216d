// The history's records as schemas (issue 14): a recorded run (shared/history.ts HistoryRun) and a
// learned baseline, as the `history` method and `status` answer them. A compile-time check keeps
// them equal to the types.

import * as v from 'valibot';
import type { Baseline, FoundError, HistoryRun } from '../history.js';
import { FLAG_KINDS, JOB_KINDS, TERMINAL_STATES } from '../job.js';
import { LIMIT_KINDS } from '../limits.js';
import { OUTCOME_KINDS } from '../outcomes.js';

const num = v.number();
const numOrNull = v.nullable(v.number());
const strOrNull = v.nullable(v.string());

export const FoundErrorSchema = v.object({ signature: v.string(), detail: strOrNull, line: v.string() });

export const HistoryRunSchema = v.object({
  seq: num,
  jobId: num,
  run: num,
  name: v.string(),
  signature: v.string(),
  command: v.string(),
  cwd: v.string(),
  tags: v.array(v.string()),
  group: v.string(),
  kind: v.picklist(JOB_KINDS),
  startedAt: num,
  endedAt: num,
  durationMs: num,
  state: v.picklist(TERMINAL_STATES as readonly HistoryRun['state'][]),
  outcome: v.picklist(OUTCOME_KINDS),
  outcomeDetail: strOrNull,
  exitCode: numOrNull,
  signal: strOrNull,
  restarts: num,
  cpuPeak: numOrNull,
  cpuAvg: numOrNull,
  rssPeak: numOrNull,
  rssAvg: numOrNull,
  flags: v.array(v.picklist(FLAG_KINDS)),
  violations: v.array(v.picklist(LIMIT_KINDS)),
  readyAfterMs: numOrNull,
  stderrTail: v.array(v.string()),
  errors: v.array(FoundErrorSchema),
});

export const BaselineSchema = v.object({ signature: v.string(), runs: num, medianMs: num, p90Ms: num });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type HistorySchemasMatchTypes = [
  Assert<Same<v.InferOutput<typeof HistoryRunSchema>, HistoryRun>>,
  Assert<Same<v.InferOutput<typeof FoundErrorSchema>, FoundError>>,
  Assert<Same<v.InferOutput<typeof BaselineSchema>, Baseline>>,
];
