// A wait for conditions, acted out: the watches' table conditions are evaluated at once and on
// every change of the job table; the others on one cadence timer per wait (CHECK_CADENCE_MS after
// the previous round of checks ended: rounds never overlap); decide.ts says when it is over.
// A job that ended gets one last read of its output (once its shim has written all of it) before
// its conditions count as impossible.

import type { Condition } from '../../shared/conditions.js';
import { isTerminal, type Job, type JobId } from '../../shared/job.js';
import type { Deadlines } from '../jobs/deadlines.js';
import { onceCancelled } from '../jobs/waits.js';
import type { JobTable } from '../jobs/job-table.js';
import { conditionFound, decideWait, tableConditionHolds, type WaitDecision } from './decide.js';
import { createWatches, type Watch, type WatchDeps } from './watches.js';

/** How often the checked conditions are checked at most: the delay between the end of one round and the next. */
export const CHECK_CADENCE_MS = 250;
/** One check's bound (a slow HTTP server, an `exec`): a round never takes much longer. */
export const CHECK_TIMEOUT_MS = 2000;

export interface ConditionWaitDeps extends WatchDeps {
  table: JobTable;
  deadlines: Deadlines;
  /** Resolves (bounded) once an ended job's shim has written all its output. */
  outputClosed(id: JobId): Promise<void>;
}

export interface ConditionWaitRequest {
  jobs: readonly Job[];
  conditions: readonly Condition[];
  all: boolean;
  newOutput: boolean;
  timeoutMs: number | null;
  /** Resolves when the waiter is gone: the wait ends as `cancelled`. */
  cancelled?: Promise<unknown>;
}

export interface FiredCondition {
  job: JobId | null;
  index: number;
  detail: string;
  at: number;
}

export interface ConditionWaitOutcome {
  kind: 'met' | 'ended' | 'timeout' | 'cancelled';
  /** With `ended`: the job that ended before its conditions could hold. */
  endedJob: JobId | null;
  /** What held: with `met`, what made it (per job the first to hold, or all with `all`); otherwise what held so far. */
  fired: FiredCondition[];
  waitedMs: number;
}

let nextWait = 0;

export async function waitForConditions(deps: ConditionWaitDeps, req: ConditionWaitRequest): Promise<ConditionWaitOutcome> {
  const { table, deadlines } = deps;
  const startedAt = deadlines.now();
  const deadline = req.timeoutMs === null ? null : startedAt + req.timeoutMs;
  const ids = req.jobs.map((j) => j.id);
  const watches = await createWatches(deps, req.jobs, req.conditions, req.newOutput);
  const polled = watches.filter((w) => w.poll !== null);
  /** Jobs that ended (or were removed) and whose last output has been read. */
  const done = new Set<JobId>();
  const key = `waitfor:${nextWait++}`;

  return new Promise<ConditionWaitOutcome>((resolve) => {
    let finished = false;
    let ticking = false;
    /** A job ended during a round: the next round (its last read) comes at once, not after the cadence. */
    let lastReadWanted = false;
    let firstRoundDone = polled.length === 0;

    let detach = () => {};
    const finish = (decision: Exclude<WaitDecision, { kind: 'waiting' }> | { kind: 'cancelled' }) => {
      if (finished) return;
      finished = true;
      detach();
      deadlines.cancel(`${key}:tick`);
      deadlines.cancel(`${key}:timeout`);
      table.off('change', onChange);
      table.off('removed', onChange);
      for (const w of watches) w.close();
      resolve({
        kind: decision.kind,
        endedJob: decision.kind === 'ended' ? decision.job : null,
        fired: firedOf(watches, ids, req.all, decision.kind === 'met'),
        waitedMs: Math.max(0, deadlines.now() - startedAt),
      });
    };

    const decide = (now = deadlines.now()) => {
      if (finished) return;
      const perCondition = (job: JobId) =>
        req.conditions.map((_c, index) => {
          const w = watches.find((x) => x.index === index && (x.job === job || x.job === null));
          return conditionFound(w?.seen != null, done.has(job));
        });
      const decision = decideWait({
        all: req.all,
        jobs: ids.map((id) => ({ id, found: perCondition(id) })),
        world: watches.filter((w) => w.job === null).map((w) => conditionFound(w.seen !== null, false)),
        now,
        // Not before the first round of checks has answered: a timeout of 0 still checks once.
        deadline: firstRoundDone ? deadline : null,
      });
      if (decision.kind !== 'waiting') finish(decision);
    };

    /** Table conditions, and which jobs are done: at once, on every change. */
    const fromTable = () => {
      for (const w of watches) {
        if (w.poll !== null || w.seen || w.job === null) continue;
        const job = table.get(w.job);
        if (job && tableConditionHolds(w.condition, job)) w.seen = { at: deadlines.now(), detail: job.state.kind };
      }
      let needsLastRead = false;
      for (const id of ids) {
        const job = table.get(id);
        if (done.has(id)) continue;
        if (!job) done.add(id);
        else if (isTerminal(job.state)) {
          // Its output, and the conditions about the world, are checked once more after the end.
          if (polled.some((w) => (w.job === id || w.job === null) && !w.seen && (w.job === null || w.condition.kind === 'output'))) needsLastRead = true;
          else done.add(id);
        }
      }
      return needsLastRead;
    };

    const onChange = () => {
      if (finished) return;
      const needsLastRead = fromTable();
      decide();
      // An ended job's output is read once more now rather than after the cadence.
      if (!needsLastRead || finished) return;
      if (ticking) lastReadWanted = true;
      else {
        deadlines.cancel(`${key}:tick`);
        void tick();
      }
    };

    const tick = async () => {
      if (finished || ticking) return;
      ticking = true;
      lastReadWanted = false;
      try {
        const world = polled.some((w) => w.job === null) ? [null] : [];
        await Promise.all([...world, ...ids].map((job) => checkRound(job)));
      } finally {
        ticking = false;
        firstRoundDone = true;
      }
      if (finished) return;
      fromTable();
      decide();
      if (!finished && polled.some((w) => !w.seen)) deadlines.after(`${key}:tick`, lastReadWanted ? 0 : CHECK_CADENCE_MS, () => void tick());
    };

    /** One round for one job's watches (or the world's): an ended job's output is read a last time (the world's watches run in the same round), then the job is done. */
    const checkRound = async (id: JobId | null) => {
      const mine = polled.filter((w) => w.job === id && !w.seen);
      const job = id === null ? undefined : table.get(id);
      if (id !== null && (!job || done.has(id))) return;
      const ended = job !== undefined && isTerminal(job.state);
      if (ended) await deps.outputClosed(id!);
      const now = id === null ? undefined : table.get(id);
      await Promise.all(
        mine
          .filter((w) => !ended || w.condition.kind === 'output')
          .map(async (w) => {
            const r = await w.poll!(now, CHECK_TIMEOUT_MS).catch(() => null);
            if (r?.ok && !w.seen) w.seen = { at: deadlines.now(), detail: r.detail };
          }),
      );
      if (ended) done.add(id!);
    };

    table.on('change', onChange);
    table.on('removed', onChange);
    if (!finished) detach = onceCancelled(req.cancelled, () => finish({ kind: 'cancelled' }));
    if (deadline !== null) deadlines.at(`${key}:timeout`, deadline, () => decide(deadline));
    fromTable();
    decide();
    if (!finished && polled.length > 0) void tick();
  });
}

/** What to report as fired: with `met` and any-of, per job the first condition to hold (one about the world once); else all that held. */
function firedOf(watches: readonly Watch[], ids: readonly JobId[], all: boolean, met: boolean): FiredCondition[] {
  const seen = watches.filter((w) => w.seen).map((w) => ({ job: w.job, index: w.index, detail: w.seen!.detail, at: w.seen!.at }));
  seen.sort((a, b) => a.at - b.at || a.index - b.index);
  if (!met || all) return seen;
  const chosen = new Set<FiredCondition>();
  const owners: (JobId | null)[] = ids.length ? [...ids] : [null];
  for (const id of owners) {
    const first = seen.find((f) => f.job === id || f.job === null);
    if (first) chosen.add(first);
  }
  return seen.filter((f) => chosen.has(f));
}
