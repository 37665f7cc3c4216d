// Pause, resume and restart: their params and results, spread into METHOD_SCHEMAS (methods.ts) so
// it stays one table.

import * as v from 'valibot';
import { JobStateKindSchema } from './job.js';
import { duration, jobRefs, signal } from './method-fields.js';
import { obj, opt } from './valid.js';

const ids = v.array(v.number());
const refOut = v.union([v.number(), v.string()]);
/** A job given to kill, rm, pause, resume or restart that could not be acted on: the ref as given, its id when it resolved, and the error as RPC would send it. */
export const refFailure = v.object({
  ref: refOut,
  ok: v.literal(false),
  id: v.nullable(v.number()),
  error: v.object({ code: v.number(), name: v.string(), message: v.string(), data: v.record(v.string(), v.unknown()) }),
});

/** A job pause or resume acted on: `changed: false` when it already was in that state; `method` is how it is (or was) paused; `pids` the processes signalled or frozen. */
const pauseDone = v.object({
  ref: refOut,
  ok: v.literal(true),
  id: v.number(),
  state: JobStateKindSchema,
  changed: v.boolean(),
  method: v.nullable(v.picklist(['freezer', 'signals'])),
  pids: ids,
});
const pauseResult = v.variant('ok', [pauseDone, refFailure]);
/** A job run again: its new run's number and state (running, or failed when it could not start); `stopped`: a live run was stopped first. */
const restartDone = v.object({ ref: refOut, ok: v.literal(true), id: v.number(), run: v.number(), state: JobStateKindSchema, stopped: v.boolean() });
const restartResult = v.variant('ok', [restartDone, refFailure]);

export const RUN_METHOD_SCHEMAS = {
  pause: {
    params: obj({ jobs: jobRefs }),
    result: v.array(pauseResult),
    example: {
      params: { jobs: ['build', 7] },
      result: [
        { ref: 'build', ok: true, id: 3, state: 'paused', changed: true, method: 'freezer', pids: [41235, 41240] },
        { ref: 7, ok: false, id: 7, error: { code: -32001, name: 'JobNotRunning', message: 'job 7 (test) is not running: it is completed', data: { id: 7, state: 'completed' } } },
      ],
    },
  },
  resume: {
    params: obj({ jobs: jobRefs }),
    result: v.array(pauseResult),
    example: { params: { jobs: ['build'] }, result: [{ ref: 'build', ok: true, id: 3, state: 'running', changed: true, method: 'freezer', pids: [41235, 41240] }] },
  },
  restart: {
    params: obj({ jobs: jobRefs, signal: opt(signal), graceMs: opt(duration) }),
    result: v.array(restartResult),
    example: {
      params: { jobs: ['web'] },
      result: [{ ref: 'web', ok: true, id: 3, run: 2, state: 'running', stopped: true }],
    },
  },
};
