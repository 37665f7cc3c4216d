// Progress and ETA as schemas (shared/progress.ts, shared/eta.ts): on the job record, in answers and
// in `job.progress` events. A compile-time check keeps them equal to the types.

import * as v from 'valibot';
import type { Eta } from '../eta.js';
import type { JobProgress } from '../progress.js';

const num = v.number();

export const JobProgressSchema = v.object({
  percent: num,
  done: num,
  total: v.nullable(num),
  phase: v.nullable(v.string()),
  source: v.picklist(['cli', 'marker']),
  updatedAt: num,
  activeMs: num,
  advancedActiveMs: num,
  first: v.object({ percent: num, activeMs: num }),
  reports: num,
  milestone: v.object({ decile: num, phase: v.nullable(v.string()) }),
});

export const EtaSchema = v.object({ leftMs: num, basis: v.picklist(['progress', 'history', 'progress+history']) });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type ProgressSchemasMatchTypes = [Assert<Same<v.InferOutput<typeof JobProgressSchema>, JobProgress>>, Assert<Same<v.InferOutput<typeof EtaSchema>, Eta>>];
