// What starts next (issue 13), as one pure function: from the jobs waiting in the queue, what runs
// now, the groups' settings and the time, decide which jobs start, which can never start (a
// dependency can no longer be met: they fail, `dependency_failed`), and why each other one waits
// and where it stands. pueue's `get_next_task_id` is the model; unlike pueue's `--after`, a failed
// dependency ends its dependants at once instead of leaving them queued forever.
//
// Order: highest effective priority first, then first queued first. Effective priority is the
// job's priority plus one for every `agingStepMs` it has waited, so a low-priority job behind a
// stream of high ones still starts: low (-10) overtakes a fresh high (10) after 21 steps (10.5
// min at the default 30 s step).

import type { DependencyCondition, GroupConfig, QueueStanding } from '../../shared/queue.js';

export type DependencyVerdict = { state: 'met' } | { state: 'pending'; why: string } | { state: 'failed'; why: string };

export interface Candidate {
  id: number;
  group: string;
  priority: number;
  /** When it started waiting (ms). */
  queuedAt: number;
  /** Each dependency's verdict now (dependencyVerdict). */
  dependencies: { ref: string; condition: DependencyCondition; verdict: DependencyVerdict }[];
}

export interface AdmissionInput {
  candidates: readonly Candidate[];
  /** Jobs with a live process (or starting) per group. */
  running: ReadonlyMap<string, number>;
  groups: ReadonlyMap<string, GroupConfig>;
  /** At most this many jobs run at once in all (null: no limit). */
  maxRunning: number | null;
  /** Resource-aware admission: null when off or when the machine has room; else why not. */
  resourcesShort: string | null;
  /** At most this many starts in this pass (null: no limit). */
  maxStarts?: number | null;
  now: number;
  agingStepMs: number;
}


export interface AdmissionResult {
  start: number[];
  fail: { id: number; detail: string }[];
  waiting: Map<number, QueueStanding>;
}

export function effectivePriority(c: Pick<Candidate, 'priority' | 'queuedAt'>, now: number, agingStepMs: number): number {
  return c.priority + Math.floor(Math.max(0, now - c.queuedAt) / agingStepMs);
}

export function admit(input: AdmissionInput): AdmissionResult {
  const result: AdmissionResult = { start: [], fail: [], waiting: new Map() };
  const ready: Candidate[] = [];
  for (const c of input.candidates) {
    const failed = c.dependencies.find((d) => d.verdict.state === 'failed');
    if (failed && failed.verdict.state === 'failed') {
      result.fail.push({ id: c.id, detail: `${failed.ref}:${failed.condition} can no longer be met: ${failed.verdict.why}` });
      continue;
    }
    const pending = c.dependencies.filter((d) => d.verdict.state === 'pending');
    if (pending.length) {
      const why = pending.map((d) => (d.verdict.state === 'pending' ? d.verdict.why : '')).join('; ');
      result.waiting.set(c.id, { waitsFor: 'dependencies', detail: `waiting for ${why}`, position: 0 });
      continue;
    }
    ready.push(c);
  }
  const order = [...ready].sort((a, b) => effectivePriority(b, input.now, input.agingStepMs) - effectivePriority(a, input.now, input.agingStepMs) || a.queuedAt - b.queuedAt || a.id - b.id);
  const running = new Map(input.running);
  let total = [...running.values()].reduce((n, k) => n + k, 0);
  const positions = new Map<string, number>();
  for (const c of order) {
    const group = input.groups.get(c.group) ?? { name: c.group, parallel: null, paused: false };
    const inGroup = running.get(c.group) ?? 0;
    const position = (positions.get(c.group) ?? 0) + 1;
    const wait = (waitsFor: QueueStanding['waitsFor'], detail: string) => {
      positions.set(c.group, position);
      result.waiting.set(c.id, { waitsFor, detail, position });
    };
    if (group.paused) wait('paused_group', `group ${c.group} is paused (procd group resume ${c.group})`);
    else if (group.parallel !== null && inGroup >= group.parallel) wait('slot', `group ${c.group} runs ${inGroup} of at most ${group.parallel}`);
    else if (input.maxRunning !== null && total >= input.maxRunning) wait('slot', `${total} jobs run, at most ${input.maxRunning} in all`);
    else if (input.resourcesShort !== null) wait('resources', input.resourcesShort);
    else if (input.maxStarts != null && result.start.length >= input.maxStarts) wait('resources', 'one start at a time while resource admission is on: the machine is read again first');
    else {
      result.start.push(c.id);
      running.set(c.group, inGroup + 1);
      total++;
    }
  }
  return result;
}

/** What a dependency's job says now about a dependant waiting for `condition`; `job` undefined: it was removed. */
export function dependencyVerdict(condition: DependencyCondition, job: DependencyJob | undefined, ref: string): DependencyVerdict {
  if (!job) return { state: 'failed', why: `job ${ref} no longer exists` };
  const who = `job ${job.id} (${job.name})`;
  const ended = job.ended;
  switch (condition) {
    case 'ended':
      return ended ? { state: 'met' } : { state: 'pending', why: `${who} to end` };
    case 'completed':
      if (!ended) return { state: 'pending', why: `${who} to complete` };
      return ended.completed ? { state: 'met' } : { state: 'failed', why: `${who} ${ended.how}` };
    case 'started':
      if (job.everStarted) return { state: 'met' };
      return ended ? { state: 'failed', why: `${who} ${ended.how} without starting` } : { state: 'pending', why: `${who} to start` };
    case 'ready':
      // A job without a readiness probe is ready once it runs.
      if (job.hasReadiness ? job.ready : job.everStarted) return { state: 'met' };
      return ended ? { state: 'failed', why: `${who} ${ended.how} without becoming ready` } : { state: 'pending', why: `${who} to be ready` };
  }
}

/** What dependencyVerdict needs to know about the job depended on. */
export interface DependencyJob {
  id: number;
  name: string;
  /** Its main process has run, in this or an earlier run. */
  everStarted: boolean;
  hasReadiness: boolean;
  ready: boolean;
  /** Set once it has ended for good (a job waiting to restart has not). */
  ended: { completed: boolean; how: string } | null;
}
