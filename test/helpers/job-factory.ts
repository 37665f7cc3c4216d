// The one place tests build a Job by hand. The job model (shared/job.ts) changes: when it does,
// this file changes and the tests that use it do not. Tests say only what matters to them
// (`makeJob({ state: runningState({ pid }) })`); everything else gets a plain default.

import type { Job, JobSpec, JobState, KillRecord, OutputInfo } from '../../shared/job.js';

/** A fixed instant for tests that print or compare times. */
export const T0 = Date.UTC(2025, 0, 1);

type StateOf<K extends JobState['kind']> = Extract<JobState, { kind: K }>;
/** A state's fields, all optional: the helpers below fill in the rest. */
type StateOverrides<K extends JobState['kind']> = Partial<Omit<StateOf<K>, 'kind'>>;

export interface JobOverrides extends Partial<Omit<Job, 'spec' | 'output'>> {
  spec?: Partial<JobSpec>;
  output?: Partial<OutputInfo>;
}

export function makeSpec(over: Partial<JobSpec> = {}): JobSpec {
  return { command: { kind: 'argv', argv: ['true'] }, kind: 'task', cwd: '/', env: {}, timeoutMs: null, expectMs: null, stuckAfterMs: 0, maxOutputBytes: 4096, stopSignal: 'SIGTERM', stopGraceMs: null, ...over };
}

export function makeOutput(over: Partial<OutputInfo> = {}): OutputInfo {
  return { stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null, ...over };
}

/** A job being launched (`starting`) unless `state` says otherwise; name and dir follow the id. */
export function makeJob(over: JobOverrides = {}): Job {
  const { spec, output, ...rest } = over;
  const id = rest.id ?? 1;
  return {
    id,
    name: `j${id}`,
    description: null,
    tags: [],
    createdAt: T0,
    state: startingState(),
    pendingKill: null,
    flags: [],
    flagHistory: [],
    resources: null,
    dir: `/nonexistent/jobs/${id}`,
    ...rest,
    spec: makeSpec(spec),
    output: makeOutput(output),
  };
}

// One helper per state. Ended states default to a 1 s run of pid 100 that started at T0.

/** Waiting to start: by default not before a minute after T0. */
export function queuedState(over: StateOverrides<'queued'> = {}): StateOf<'queued'> {
  return { kind: 'queued', queuedAt: T0, reason: { kind: 'not_before', at: T0 + 60_000, detail: 'not before a minute after T0' }, ...over };
}

export function startingState(over: StateOverrides<'starting'> = {}): StateOf<'starting'> {
  return { kind: 'starting', since: T0, ...over };
}

export function runningState(over: StateOverrides<'running'> = {}): StateOf<'running'> {
  return { kind: 'running', startedAt: T0, pid: 100, startTicks: 1, shimPid: 99, ...over };
}

export function pausedState(over: StateOverrides<'paused'> = {}): StateOf<'paused'> {
  return { kind: 'paused', startedAt: T0, pausedAt: T0 + 500, pid: 100, startTicks: 1, shimPid: 99, ...over };
}

const ended = { startedAt: T0, endedAt: T0 + 1000, durationMs: 1000, pid: 100, startTicks: 1, exitCode: 0, signal: null, outcomeDetail: null };

export function completedState(over: StateOverrides<'completed'> = {}): StateOf<'completed'> {
  return { kind: 'completed', ...ended, outcome: 'exit', ...over };
}

export function failedState(over: StateOverrides<'failed'> = {}): StateOf<'failed'> {
  return { kind: 'failed', ...ended, exitCode: 1, outcome: 'exit', spawnError: null, ...over };
}

/** A job that never started: no pid, no exit code, the spawn error says why. */
export function spawnFailedState(over: StateOverrides<'failed'> = {}): StateOf<'failed'> {
  return failedState({ endedAt: T0, durationMs: 0, pid: null, startTicks: null, exitCode: null, outcome: 'spawn_error', spawnError: { code: 'ENOENT', message: 'no such file' }, ...over });
}

export function killRecord(over: Partial<KillRecord> = {}): KillRecord {
  return { reason: 'user', requestedAt: T0 + 500, signal: 'SIGTERM', graceMs: 5000, signalled: [100], forced: [], ...over };
}

export function killedState(over: StateOverrides<'killed'> = {}): StateOf<'killed'> {
  return { kind: 'killed', ...ended, exitCode: 143, signal: { name: 'SIGTERM', number: 15 }, outcome: 'signal', kill: killRecord(), forced: false, ...over };
}

export function timedOutState(over: StateOverrides<'timed_out'> = {}): StateOf<'timed_out'> {
  return { kind: 'timed_out', ...ended, exitCode: 143, signal: { name: 'SIGTERM', number: 15 }, outcome: 'timeout', kill: killRecord({ reason: 'timeout' }), forced: false, ...over };
}

export function lostState(over: StateOverrides<'lost'> = {}): StateOf<'lost'> {
  return { kind: 'lost', ...ended, exitCode: null, outcome: 'vanished', reason: 'gone', ...over };
}
