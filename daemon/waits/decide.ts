// The decisions of a wait for conditions (issue 15 §2), as pure functions of what the watchers
// found: whether each condition holds for a job, has become impossible (the job ended), or is
// still pending; whether the whole wait is met, ended first, timed out or still waiting; and which
// timeout applies. condition-wait.ts acts on what these answer; tests drive them with plain data.

import type { Condition, ConditionKind } from '../../shared/conditions.js';
import { hasLiveProcess, isTerminal, type Job, type JobId } from '../../shared/job.js';
import { DEFAULT_CONDITION_WAIT_MS } from '../../shared/methods-wait.js';

export type Found = 'met' | 'pending' | 'impossible';

/** Conditions about the world, not about a job: checked once per wait, whatever the jobs. */
const WORLD_CONDITIONS: readonly ConditionKind[] = ['port-free', 'tcp', 'http'];
/** Conditions answered from the job table as it changes; the others are checked on a cadence. */
const TABLE_CONDITIONS: readonly ConditionKind[] = ['exit', 'state', 'ready'];

export const isWorldCondition = (c: Condition): boolean => WORLD_CONDITIONS.includes(c.kind);
export const isTableCondition = (c: Condition): boolean => TABLE_CONDITIONS.includes(c.kind);

/**
 * The timeout of a wait: the one asked for (null: none); without one, none for a plain wait or a
 * wait for `exit` only (a 20-minute build must not be cut), else the default, so it never hangs.
 */
export function effectiveTimeoutMs(conditions: readonly Condition[] | undefined, asked: number | null | undefined): number | null {
  if (asked !== undefined) return asked;
  if (!conditions || conditions.every((c) => c.kind === 'exit')) return null;
  return DEFAULT_CONDITION_WAIT_MS;
}

/**
 * Whether a condition answered from the table holds for the job now: `exit` once it ended,
 * `state=S` while it is in S, `ready` once its readiness probe passed in the current run.
 */
export function tableConditionHolds(c: Condition, job: Job): boolean {
  switch (c.kind) {
    case 'exit':
      return isTerminal(job.state);
    case 'state':
      return job.state.kind === c.state;
    case 'ready':
      return hasLiveProcess(job.state) && !!job.probes?.ready;
    default:
      return false;
  }
}

/** `quiet=D`: a job with a live process that wrote nothing for D (since its run started, when it never wrote in this run). */
export function quietHolds(ms: number, job: Pick<Job, 'state' | 'output'>, now: number): boolean {
  if (!hasLiveProcess(job.state)) return false;
  const since = Math.max(job.output.lastOutputAt ?? 0, job.state.startedAt);
  return now - since >= ms;
}

/**
 * One condition for one job: met once it has been seen to hold (a wait latches what it saw), else
 * impossible once the job has ended and its conditions were checked a last time — also one about
 * the world (`track --wait-for http=URL` on a server that crashed must not wait out the timeout),
 * else pending.
 */
export function conditionFound(seen: boolean, jobDone: boolean): Found {
  if (seen) return 'met';
  return jobDone ? 'impossible' : 'pending';
}

/** Several conditions for one job: any of them (all of them with `all`). */
export function combine(found: readonly Found[], all: boolean): Found {
  if (all) {
    if (found.some((f) => f === 'impossible')) return 'impossible';
    return found.every((f) => f === 'met') ? 'met' : 'pending';
  }
  if (found.some((f) => f === 'met')) return 'met';
  return found.length > 0 && found.every((f) => f === 'impossible') ? 'impossible' : 'pending';
}

export type WaitDecision = { kind: 'met' } | { kind: 'ended'; job: JobId } | { kind: 'timeout' } | { kind: 'waiting' };

export interface WaitFacts {
  all: boolean;
  /** Per job: what each condition found (in the order of the conditions). No jobs: `world` alone decides. */
  jobs: readonly { id: JobId; found: readonly Found[] }[];
  /** Without jobs: what each condition found. */
  world: readonly Found[];
  now: number;
  /** Epoch ms when the wait times out; null: never. */
  deadline: number | null;
}

/** The wait as a whole: met when the conditions hold for each job; ended when one job can no longer meet them; else the timeout, or waiting. */
export function decideWait(f: WaitFacts): WaitDecision {
  const perJob = f.jobs.map((j) => ({ id: j.id, found: combine(j.found, f.all) }));
  const overall = f.jobs.length === 0 ? combine(f.world, f.all) : perJob.every((j) => j.found === 'met') ? 'met' : 'pending';
  if (overall === 'met') return { kind: 'met' };
  const ended = perJob.find((j) => j.found === 'impossible');
  if (ended) return { kind: 'ended', job: ended.id };
  if (f.deadline !== null && f.now >= f.deadline) return { kind: 'timeout' };
  return { kind: 'waiting' };
}
