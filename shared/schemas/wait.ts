// The `wait` method's params and result (issue 15 §2): without `for` it waits for the jobs' end as
// it always did; with `for` it waits for conditions of the one grammar (shared/conditions.ts) and
// says which fired, or that a job ended first, or that the timeout passed, with the last lines.
// Kept apart so schemas/methods.ts stays one screenful per concern; it spreads this in.

import * as v from 'valibot';
import { JobStateKindSchema, JobViewSchema } from './job.js';
import { waitConditionParam } from './conditions.js';
import { duration, jobRefs, MAX_MS } from './method-fields.js';
import { EXAMPLE_VIEW } from './method-examples.js';
import { bool, list, obj, opt } from './valid.js';

/** Conditions in one wait at most: each is checked by the daemon every few hundred ms. */
export const MAX_WAIT_CONDITIONS = 20;

const waitTimeout = v.pipe(v.nullable(duration), v.description(`an integer in 0..${MAX_MS} (ms), or null for no timeout`));
const condition = v.pipe(waitConditionParam, v.description('a condition: KEY=VALUE text (output=REGEX, listen[=PORT], tcp=[HOST:]PORT, http=URL, exec=CMD, exit, ready, quiet=DURATION, state=STATE, port-free=PORT) or its object form'));

/** One condition that held: for which job (null: a condition of the world, such as port-free), as text, and what was seen. */
const fired = v.object({ job: v.nullable(v.number()), name: v.nullable(v.string()), condition: v.string(), detail: v.string(), at: v.number() });

/** A job that ended before its condition could hold: its state and its own exit code (null: none, e.g. a signal death or never ran). */
const endedFirst = v.object({ job: v.number(), name: v.string(), state: JobStateKindSchema, exitCode: v.nullable(v.number()), signal: v.nullable(v.string()), outcome: v.string() });

/** The last lines of a job's output (stdout and stderr interleaved): at most 10 lines and 4 KiB; `truncated` when more was cut. */
const tail = v.object({ job: v.number(), name: v.string(), state: JobStateKindSchema, exitCode: v.nullable(v.number()), lines: v.array(v.string()), truncated: v.boolean() });

/** What a wait with `for` found. */
const waitForResult = v.object({
  /** met: the conditions held; ended: a job ended before they could; timeout: the timeout passed first. */
  outcome: v.picklist(['met', 'ended', 'timeout']),
  /** The conditions as understood, in the text a user types. */
  conditions: v.array(v.string()),
  all: v.boolean(),
  fired: v.array(fired),
  ended: v.nullable(endedFirst),
  waitedMs: v.number(),
  /** The timeout that applied (null: none). */
  timeoutMs: v.nullable(v.number()),
  tails: v.array(tail),
});

export const WAIT_METHOD_SCHEMA = {
  /**
   * `jobs`: may be left out only when every condition needs no job (port-free, tcp, http).
   * `for`: any of these conditions (all of them with `all`), holding for each job. `newOutput`:
   * `output=` matches only lines written after the wait began (default: from the current run's
   * start). `timeoutMs`: null for none; without it, a wait for a condition other than `exit` ends
   * after 5 minutes, a plain wait never. `env`: also the jobs' environment values, as for status.
   */
  params: obj({
    jobs: opt(jobRefs),
    timeoutMs: opt(waitTimeout),
    env: opt(bool()),
    for: opt(list(condition, { min: 1, max: MAX_WAIT_CONDITIONS })),
    all: opt(bool()),
    newOutput: opt(bool()),
  }),
  /** timedOut: the wait's own timeout passed first. `for`: present when conditions were asked for. */
  result: v.object({ jobs: v.array(JobViewSchema), timedOut: v.boolean(), for: v.optional(waitForResult) }),
  example: {
    params: { jobs: ['web'], for: ['http=http://127.0.0.1:8080/health'], timeoutMs: 60000 },
    result: {
      jobs: [EXAMPLE_VIEW],
      timedOut: false,
      for: {
        outcome: 'met',
        conditions: ['http=http://127.0.0.1:8080/health'],
        all: false,
        fired: [{ job: null, name: null, condition: 'http=http://127.0.0.1:8080/health', detail: 'HTTP 200', at: 1767225601500 }],
        ended: null,
        waitedMs: 1488,
        timeoutMs: 60000,
        tails: [{ job: 3, name: 'web', state: 'running', exitCode: null, lines: ['listening on :8080'], truncated: false }],
      },
    },
  },
};
