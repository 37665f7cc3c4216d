// What a track request becomes: the job's spec, with the defaults that depend on what kind of
// job it is, and how a stop of it is done. Pure functions, so the rules are tested without a daemon.

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { Command, JobKind, JobSpec } from '../../shared/job.js';
import type { ParamsOf } from '../../shared/methods.js';
import { PROBE_DEFAULTS, PROBE_ROLES, type JobProbes } from '../../shared/probes.js';
import { DEFAULT_GROUP, DEPENDENCY_CONDITIONS, priorityValue, type Dependency, type DependencyCondition } from '../../shared/queue.js';
import { defaultRestartSpec, keepsUp, type RestartSpec } from '../../shared/restart.js';
import { parseSignal } from '../../shared/signals.js';

export interface SpecDefaults {
  stuckAfterMs: number;
  maxOutputBytes: number;
}

/**
 * A service or a task: what the caller said; else a service when its restart policy is `always`
 * or `unless-stopped` (a job meant to be kept up), else a task.
 */
export function jobKindOf(params: Pick<ParamsOf<'track'>, 'kind' | 'restart'>): JobKind {
  return params.kind ?? (params.restart && keepsUp(params.restart.policy) ? 'service' : 'task');
}

/**
 * The restart policy asked for, the defaults filled in; `--on-limit restart` without a policy
 * means `on-failure` with the default backoff (the limit's kill is a failure). Absent: `no`.
 */
export function restartSpecOf(params: Pick<ParamsOf<'track'>, 'restart' | 'limits'>): RestartSpec | undefined {
  const asked = params.restart ?? (params.limits?.onLimit === 'restart' ? { policy: 'on-failure' as const } : undefined);
  if (!asked || asked.policy === 'no') return undefined;
  const spec = defaultRestartSpec(asked.policy);
  const { policy: _policy, ...figures } = asked;
  for (const [key, value] of Object.entries(figures)) if (value !== undefined) Object.assign(spec, { [key]: value });
  if (spec.maxDelayMs < spec.delayMs) spec.maxDelayMs = spec.delayMs;
  return spec;
}

/**
 * The spec of a new job. The stuck flag is on by default for a task and off for a service (a
 * quiet, healthy server is not stuck); an explicit `stuckAfterMs` applies to either, as does
 * `expectMs` for the time-sink flag. The spec keeps the value in force, so status shows it.
 */
export function buildSpec(params: ParamsOf<'track'>, command: Command, env: Record<string, string>, defaults: SpecDefaults, after: Dependency[] = []): JobSpec {
  const kind = jobKindOf(params);
  const restart = restartSpecOf(params);
  const probes = probesSpecOf(params);
  return {
    command,
    kind,
    cwd: params.cwd,
    env,
    timeoutMs: params.timeoutMs ?? null,
    expectMs: params.expectMs ?? null,
    stuckAfterMs: params.stuckAfterMs ?? (kind === 'service' ? 0 : defaults.stuckAfterMs),
    maxOutputBytes: params.maxOutputBytes ?? defaults.maxOutputBytes,
    stopSignal: params.stopSignal === undefined ? 'SIGTERM' : stopSignalName(params.stopSignal),
    stopGraceMs: params.stopGraceMs ?? null,
    ...(restart ? { restart } : {}),
    ...(probes ? { probes } : {}),
    ...(params.group !== undefined && params.group !== DEFAULT_GROUP ? { group: params.group } : {}),
    ...(params.priority !== undefined ? { priority: priorityValue(params.priority) ?? 0 } : {}),
    ...(after.length ? { after } : {}),
    ...(params.declared ? { declared: params.declared } : {}),
  };
}

/** `build`, `3:ready` → the reference and the condition (completed when none is given). */
export function parseDependency(text: string): { ref: string; condition: DependencyCondition } {
  const colon = text.lastIndexOf(':');
  const tail = colon < 0 ? '' : text.slice(colon + 1);
  if (colon >= 0 && (DEPENDENCY_CONDITIONS as readonly string[]).includes(tail)) return { ref: text.slice(0, colon), condition: tail as DependencyCondition };
  return { ref: text, condition: 'completed' };
}

/** The probes asked for, each with the defaults filled in; absent: none. */
export function probesSpecOf(params: Pick<ParamsOf<'track'>, 'probes'>): JobProbes | undefined {
  const probes: JobProbes = {};
  for (const role of PROBE_ROLES) {
    const asked = params.probes?.[role];
    if (!asked) continue;
    const { when, ...figures } = asked;
    const spec = { when, ...PROBE_DEFAULTS };
    for (const [key, value] of Object.entries(figures)) if (value !== undefined) Object.assign(spec, { [key]: value });
    probes[role] = spec;
  }
  return Object.keys(probes).length > 0 ? probes : undefined;
}

/** `INT`, `sigint`, `2` → `SIGINT`; an unknown signal is refused before any job exists. */
function stopSignalName(input: string | number): string {
  const sig = parseSignal(input);
  if (!sig) {
    throw new ProcdError(ErrorCode.BadSignal, `unknown stop signal: ${input} (try SIGTERM, SIGINT, SIGQUIT, HUP or 2)`, { signal: input, field: 'params.stopSignal' });
  }
  return sig.name;
}

export interface StopPlan {
  signal: NodeJS.Signals;
  graceMs: number;
}

/**
 * How a stop of this job is done: what the caller asked (`kill --signal/--grace`), else the job's
 * own stop signal and grace, else SIGTERM and the daemon's grace. A stored signal this platform
 * does not know (a record from another system) falls back to SIGTERM rather than block the stop.
 */
export function stopPlanOf(spec: JobSpec, defaultGraceMs: number, asked: { signal?: NodeJS.Signals | undefined; graceMs?: number | undefined } = {}): StopPlan {
  const own = (parseSignal(spec.stopSignal)?.name ?? 'SIGTERM') as NodeJS.Signals;
  return { signal: asked.signal ?? own, graceMs: asked.graceMs ?? spec.stopGraceMs ?? defaultGraceMs };
}
