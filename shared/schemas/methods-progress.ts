// The progress method's params and result (issue 14), spread into METHOD_SCHEMAS (methods.ts) so
// it stays one table. Cross-field rules (done ≤ total, ≤ 100 without a total) are checked by the
// handler with shared/progress.ts progressProblem, the rules the CLI and the marker parser use.

import * as v from 'valibot';
import { PHASE_MAX_CHARS, PROGRESS_MAX } from '../progress.js';
import { JobStateKindSchema } from './job.js';
import { jobRef } from './method-fields.js';
import { EtaSchema, JobProgressSchema } from './progress.js';
import { obj, opt, str } from './valid.js';

/** A number from 0 (or above 0) up to PROGRESS_MAX. */
function amount(aboveZero: boolean, what: string) {
  const d = `${what} (a number ${aboveZero ? 'above' : 'from'} 0, at most ${PROGRESS_MAX})`;
  const low = v.check((n: number) => (aboveZero ? n > 0 : n >= 0), d);
  return v.pipe(v.number(d), v.finite(d), low, v.maxValue(PROGRESS_MAX, d), v.description(d));
}

export const PROGRESS_METHOD_SCHEMAS = {
  progress: {
    params: obj({
      job: jobRef,
      done: amount(false, 'how far: a percentage, or items done of `total`'),
      total: opt(v.nullable(amount(true, 'items in all'))),
      phase: opt(str({ max: PHASE_MAX_CHARS, pattern: /^\P{Cc}*$/u, what: `the phase: text without control characters, at most ${PHASE_MAX_CHARS} characters` })),
      /** The PROCD_INSTANCE of the job the report comes from: refused (InstanceMismatch) unless it is this daemon's. */
      instance: opt(str({ min: 1, max: 64, what: "a procd instance id (a job's PROCD_INSTANCE)" })),
    }),
    result: v.object({ id: v.number(), name: v.string(), state: JobStateKindSchema, progress: JobProgressSchema, eta: v.nullable(EtaSchema) }),
    example: {
      params: { job: 12, done: 67, total: 200, phase: 'URL 2 of 3', instance: '3f2a9c1b7d4e5f60' },
      result: {
        id: 12,
        name: 'crawl',
        state: 'running',
        progress: { percent: 33.5, done: 67, total: 200, phase: 'URL 2 of 3', source: 'cli', updatedAt: 1767225640000, activeMs: 40000, advancedActiveMs: 40000, first: { percent: 2, activeMs: 2000 }, reports: 14, milestone: { decile: 3, phase: 'URL 2 of 3' } },
        eta: { leftMs: 76000, basis: 'progress' },
      },
    },
  },
};
