// Queues, groups, priorities and dependencies (issue 13), as both sides see them: what a job's
// spec asks for (`track --group/--priority/--after`) and the groups' settings. The choice of what
// starts next is a pure function in daemon/queue/admission.ts. Types and constants only: the CLI
// loads this.

/** Named priorities; a number from -100 to 100 works too (higher starts first). */
export const PRIORITY_LEVELS = { low: -10, normal: 0, high: 10, critical: 20 } as const;
export type PriorityLevel = keyof typeof PRIORITY_LEVELS;
export const PRIORITY_RANGE = { min: -100, max: 100 } as const;

/** A job without `--group` is in this one; unlimited unless configured. */
export const DEFAULT_GROUP = 'default';

/**
 * What a dependency waits for: `completed` (exited 0; the default), `ended` (any end), `started`
 * (its main process ran), `ready` (its readiness probe passed; a job without one: started).
 */
export const DEPENDENCY_CONDITIONS = ['completed', 'ended', 'started', 'ready'] as const;
export type DependencyCondition = (typeof DEPENDENCY_CONDITIONS)[number];

/** One `--after`: the job it named (resolved to an id when the dependant was created), as written, and the condition. */
export interface Dependency {
  job: number;
  /** What the user wrote (an id or a name), for messages. */
  ref: string;
  condition: DependencyCondition;
}

/** Where a job was declared (`procd up`): its project, its entry's short name, the file and a hash of the entry. */
export interface Declared {
  project: string;
  entry: string;
  file: string;
  /** A hash of the entry as the client normalised it: `up` restarts an entry whose hash changed. */
  hash: string;
}

/** A group's settings (`procd group set`). */
export interface GroupConfig {
  name: string;
  /** At most this many of its jobs run at once; null: no limit. */
  parallel: number | null;
  /** Its queued jobs do not start (`procd pause --group`). */
  paused: boolean;
}

/** Why a job in the queue has not started, and where it stands in its group (1: next). */
export interface QueueStanding {
  waitsFor: 'dependencies' | 'slot' | 'paused_group' | 'resources';
  detail: string;
  position: number;
}

/** `high` → 10, `7` → 7; null for anything else. */
export function priorityValue(input: string | number): number | null {
  if (typeof input === 'number') return Number.isInteger(input) && input >= PRIORITY_RANGE.min && input <= PRIORITY_RANGE.max ? input : null;
  if (Object.hasOwn(PRIORITY_LEVELS, input)) return PRIORITY_LEVELS[input as PriorityLevel];
  return /^-?\d+$/.test(input) ? priorityValue(Number(input)) : null;
}

/** 10 → `high`, 3 → `3`. */
export function priorityText(value: number): string {
  const named = (Object.keys(PRIORITY_LEVELS) as PriorityLevel[]).find((k) => PRIORITY_LEVELS[k] === value);
  return named ?? String(value);
}
