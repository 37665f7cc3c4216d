// What `procd up` and `procd down` do, decided from the file's entries and the project's jobs:
// pure functions, unit-tested (test/unit/client/project-plan.test.ts); commands/up.ts and down.ts act.

import { changedFields } from './entry-params.js';
import { closure, reverse, startLayers, stopLayers, type Deps } from './graph.js';

/** What `up` needs of an entry. */
export interface PlanEntry {
  name: string;
  hash: string;
  deps: readonly string[];
  /** For changedFields: the normal form's fields. */
  normal: Parameters<typeof changedFields>[1];
}

/**
 * A job of the project that is not over (running, starting, queued, waiting to restart…), or a
 * task that completed (`done`): `up` does not run a completed task again unless its entry changed
 * (a second `up` must not re-run a migration).
 */
export interface LiveJob {
  id: number;
  entry: string;
  hash: string;
  done?: boolean;
}

export type UpStep =
  | { entry: string; action: 'start' }
  | { entry: string; action: 'unchanged'; id: number }
  /** `changed`: the fields that differ (null: the job's hash is not one this client wrote); `dependency`: the restarted entry it waits for. */
  | { entry: string; action: 'restart'; id: number; changed: string[] | null; dependency?: string };

export interface UpPlan {
  /** One step per entry in scope (and per restarted dependant), in the file's order. */
  steps: UpStep[];
  /** The jobs to stop first, dependants first: each layer ends before the next is stopped. */
  stop: { entry: string; id: number }[][];
  /** The entries to track, in layers: each waits only for earlier layers. */
  start: string[][];
  /** Live jobs of the project whose entry the file no longer declares: left alone, named in the answer. */
  undeclared: LiveJob[];
}

const depsOf = (entries: readonly PlanEntry[]): Deps => new Map(entries.map((e) => [e.name, e.deps]));

/** The newest live job of each entry (a second live one would be a name clash; the newest wins). */
export function liveByEntry(jobs: readonly LiveJob[]): Map<string, LiveJob> {
  const out = new Map<string, LiveJob>();
  for (const j of jobs) if ((out.get(j.entry)?.id ?? 0) < j.id) out.set(j.entry, j);
  return out;
}

/**
 * `up [NAME...]`: the entries named (all when none) and what they wait for are started when they
 * have no live job, left alone when their job runs the same entry (same hash), restarted when it
 * changed; a live job that waits for a restarted entry (directly or not) is restarted too, after it.
 */
export function planUp(entries: readonly PlanEntry[], live: readonly LiveJob[], only: readonly string[] = []): UpPlan {
  const deps = depsOf(entries);
  const byName = new Map(entries.map((e) => [e.name, e]));
  // In the file's order, so the output and each layer read as the file does.
  const reach = closure(only, deps);
  const scope = entries.map((e) => e.name).filter((n) => !only.length || reach.has(n));
  const current = liveByEntry(live);
  const decided = new Map<string, UpStep>();
  for (const name of scope) {
    const e = byName.get(name)!;
    const job = current.get(name);
    if (!job || (job.done && job.hash !== e.hash)) decided.set(name, { entry: name, action: 'start' });
    else if (job.hash === e.hash) decided.set(name, { entry: name, action: 'unchanged', id: job.id });
    else decided.set(name, { entry: name, action: 'restart', id: job.id, changed: changedFields(job.hash, e.normal) });
  }
  // Dependants of what restarts: every live one, in scope or not, is restarted after it.
  const dependants = reverse(deps);
  const restarted = [...decided.values()].filter((s) => s.action === 'restart').map((s) => s.entry);
  for (const name of restarted) {
    for (const d of closure(dependants.get(name) ?? [], dependants)) {
      const prior = decided.get(d);
      const job = current.get(d);
      if (prior?.action === 'restart' || prior?.action === 'start' || !job || job.done) continue;
      decided.set(d, { entry: d, action: 'restart', id: job.id, changed: [], dependency: name });
    }
  }
  const steps = entries.flatMap((e) => decided.get(e.name) ?? []);
  const restarts = steps.filter((s): s is Extract<UpStep, { action: 'restart' }> => s.action === 'restart');
  const ids = new Map(restarts.map((s) => [s.entry, s.id]));
  return {
    steps,
    stop: stopLayers(ids.keys(), deps).map((layer) => layer.map((entry) => ({ entry, id: ids.get(entry)! }))),
    start: startLayers(steps.filter((s) => s.action !== 'unchanged').map((s) => s.entry), deps),
    undeclared: [...current.values()].filter((j) => !j.done && !byName.has(j.entry)),
  };
}

/**
 * `down [NAME...]`: the entries named (all when none) and what waits for them, in layers to stop,
 * dependants first. Every entry in scope is in a layer, live or not: down stops each layer by its
 * jobs' names (PROJECT/ENTRY), so it needs no list of the project's jobs, and the daemon answers
 * for an entry with no live job that there is nothing to stop.
 */
export function planDown(entries: readonly PlanEntry[], only: readonly string[] = []): string[][] {
  const deps = depsOf(entries);
  const reach = closure(only, reverse(deps));
  return stopLayers(
    entries.map((e) => e.name).filter((n) => !only.length || reach.has(n)),
    deps,
  );
}
