// Shape checks for records read back from disk. Valid JSON of the wrong shape (a null job, an
// unknown state kind) would crash the daemon later — in readopt(), ls or prune — so load()
// skips it and says so. Only what code relies on is checked; optional fields get their defaults.

import { JOB_STATE_KINDS, TERMINAL_STATES, type Job, type JobId } from '../../shared/job.js';
import { OUTCOME_KINDS } from '../../shared/outcomes.js';
import { upgradeJobRecord } from './upgrade-record.js';

export type JournalEntry = { seq: number; t: 'job'; job: Job } | { seq: number; t: 'rm'; id: JobId } | { seq: number; t: 'next'; nextId: number };

/** A record load() can use, or why not (with its id when readable, so the id is never reused). */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string; id: number | null };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNumOrNull = (v: unknown): boolean => v === null || isNum(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isStr);
export const isPositiveInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

const STATE_KINDS: readonly string[] = JOB_STATE_KINDS;
const ENDED_KINDS: readonly string[] = TERMINAL_STATES;

export function checkJob(raw: unknown): Checked<Job> {
  const value = upgradeJobRecord(raw);
  if (!isObj(value)) return { ok: false, problem: `job is ${value === null ? 'null' : `a ${Array.isArray(value) ? 'list' : typeof value}`}`, id: null };
  const id = isPositiveInt(value.id) ? value.id : null;
  const problem = id === null ? 'id is not a positive integer' : (basicsProblem(value) ?? specProblem(value.spec) ?? stateProblem(value.state));
  if (problem) return { ok: false, problem, id };
  const state = value.state as Obj;
  // Records from older versions lack these fields; code expects them present.
  const output = isObj(value.output) ? value.output : { stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null };
  const job = {
    ...value,
    description: isStr(value.description) ? value.description : null,
    tags: isStrArray(value.tags) ? value.tags : [],
    pendingKill: isObj(value.pendingKill) ? value.pendingKill : null,
    flags: Array.isArray(value.flags) ? value.flags : [],
    flagHistory: Array.isArray(value.flagHistory) ? value.flagHistory : [],
    resources: isObj(value.resources) ? value.resources : null,
    output,
    state: ENDED_KINDS.includes(state.kind as string) ? { ...state, pid: state.pid ?? null, startTicks: state.startTicks ?? null, outcomeDetail: state.outcomeDetail ?? null } : state,
  };
  return { ok: true, value: job as unknown as Job };
}

function basicsProblem(job: Obj): string | null {
  if (!isStr(job.name)) return 'name is not a string';
  if (!isNum(job.createdAt)) return 'createdAt is not a number';
  if (!isStr(job.dir)) return 'dir is not a string';
  return null;
}

function specProblem(spec: unknown): string | null {
  if (!isObj(spec)) return 'spec is not an object';
  const command = spec.command;
  if (!isObj(command)) return 'spec.command is not an object';
  if (command.kind === 'shell') {
    if (!isStr(command.script) || !isStr(command.shell)) return 'shell command without script and shell';
  } else if (command.kind === 'argv' || command.kind === 'adopted') {
    if (!isStrArray(command.argv)) return `${command.kind} command without an argv list`;
  } else return `spec.command.kind ${JSON.stringify(command.kind)} is unknown`;
  if (!isStr(spec.cwd)) return 'spec.cwd is not a string';
  if (!isObj(spec.env)) return 'spec.env is not an object';
  if (!isNumOrNull(spec.timeoutMs) || !isNumOrNull(spec.expectMs)) return 'spec.timeoutMs or spec.expectMs is not a number or null';
  if (!isNum(spec.stuckAfterMs) || !isNum(spec.maxOutputBytes)) return 'spec.stuckAfterMs or spec.maxOutputBytes is not a number';
  return null;
}

function stateProblem(state: unknown): string | null {
  if (!isObj(state)) return 'state is not an object';
  const kind = state.kind;
  if (!isStr(kind) || !STATE_KINDS.includes(kind)) return `state.kind ${JSON.stringify(kind) ?? 'undefined'} is unknown`;
  if (ENDED_KINDS.includes(kind) && !(isStr(state.outcome) && (OUTCOME_KINDS as string[]).includes(state.outcome))) return `${kind} state with an unknown outcome ${JSON.stringify(state.outcome)}`;
  const bad = (fields: string) => `${kind} state without ${fields}`;
  if (kind === 'queued') return isNum(state.queuedAt) && isObj(state.reason) && isNum(state.reason.at) && isStr(state.reason.detail) ? null : bad('queuedAt and a reason');
  if (kind === 'starting') return isNum(state.since) ? null : bad('since');
  if (kind === 'paused' && !isNum(state.pausedAt)) return bad('pausedAt');
  if (kind === 'running' || kind === 'paused') {
    // readopt() and kill signal this pid: it must be a real one.
    if (!isNum(state.startedAt) || !isPositiveInt(state.pid)) return bad('startedAt and pid');
    return isNumOrNull(state.startTicks ?? null) && isNumOrNull(state.shimPid ?? null) ? null : bad('numeric startTicks and shimPid');
  }
  if (!isNum(state.startedAt) || !isNum(state.endedAt) || !isNum(state.durationMs)) return bad('startedAt, endedAt and durationMs');
  if (!isNumOrNull(state.pid ?? null) || !isNumOrNull(state.startTicks ?? null) || !isNumOrNull(state.exitCode)) return bad('numeric pid, startTicks and exitCode');
  if (state.signal !== null && !(isObj(state.signal) && isStr(state.signal.name) && isNum(state.signal.number))) return bad('a valid signal');
  if (kind === 'failed') return state.spawnError === null || (isObj(state.spawnError) && isStr(state.spawnError.code)) ? null : bad('a valid spawnError');
  if (kind === 'completed') return null;
  if (kind === 'lost') return isStr(state.reason) ? null : bad('a reason');
  if (typeof state.forced !== 'boolean') return bad('forced');
  if (kind === 'killed' && state.kill === null) return null;
  return isObj(state.kill) && isStr(state.kill.signal) && Array.isArray(state.kill.signalled) && Array.isArray(state.kill.forced) ? null : bad('a valid kill record');
}

export function checkEntry(value: unknown): Checked<JournalEntry> {
  if (!isObj(value) || !isPositiveInt(value.seq)) return { ok: false, problem: 'entry without a sequence number', id: null };
  if (value.t === 'job') {
    const job = checkJob(value.job);
    return job.ok ? { ok: true, value: { seq: value.seq, t: 'job', job: job.value } } : job;
  }
  if (value.t === 'rm') return isPositiveInt(value.id) ? { ok: true, value: { seq: value.seq, t: 'rm', id: value.id } } : { ok: false, problem: 'rm entry without an id', id: null };
  if (value.t === 'next') return isPositiveInt(value.nextId) ? { ok: true, value: { seq: value.seq, t: 'next', nextId: value.nextId } } : { ok: false, problem: 'next entry without a nextId', id: null };
  return { ok: false, problem: `entry type ${JSON.stringify(value.t) ?? 'undefined'} is unknown`, id: null };
}

/** Collects skipped records into one warning line: how many, and the first few reasons. */
export class SkipList {
  private readonly items: string[] = [];
  add(where: string, problem: string): void {
    this.items.push(`${where}: ${problem}`);
  }
  get size(): number {
    return this.items.length;
  }
  describe(): string {
    const shown = this.items.slice(0, 3).join('; ');
    return this.items.length > 3 ? `${shown}; and ${this.items.length - 3} more` : shown;
  }
}

/** Warnings and error messages are shown on one line (log fields, `daemon status`). */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}
