// Records read back from disk are checked with the same Job schema as the wire model
// (shared/schemas/job.ts): valid JSON of the wrong shape (a null job, an unknown state kind,
// `"flags":[null]`) would crash the daemon later — in readopt(), the monitor, ls or prune — so
// load() sets it aside and says why. Fields added after a record was written get their defaults
// there; changes of meaning (the lifecycle model's) are upgraded first (upgrade-record.ts).

import * as v from 'valibot';
import type { Job, JobId } from '../../shared/job.js';
import { JobSchema } from '../../shared/schemas/job.js';
import { upgradeJobRecord } from './upgrade-record.js';

export type JournalEntry = { seq: number; t: 'job'; job: Job } | { seq: number; t: 'rm'; id: JobId } | { seq: number; t: 'next'; nextId: number };

/** A record load() can use, or why not (with its id when readable, so the id is never reused). */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string; id: number | null };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isPositiveInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;

export function checkJob(raw: unknown): Checked<Job> {
  // Records of older versions are first brought to today's model (old queued = starting, outcomes).
  const value = upgradeJobRecord(raw);
  if (!isObj(value)) return { ok: false, problem: `job is ${value === null ? 'null' : `a ${Array.isArray(value) ? 'list' : typeof value}`}`, id: null };
  const id = isPositiveInt(value.id) ? value.id : null;
  if (id === null) return { ok: false, problem: 'id is not a positive integer', id };
  const r = v.safeParse(JobSchema, value, { abortEarly: true });
  return r.success ? { ok: true, value: r.output } : { ok: false, problem: problemText(r.issues[0]), id };
}

/** One issue as a short sentence: `flags[0] is not an object`, `state.kind "paused" is unknown`. */
export function problemText(issue: v.BaseIssue<unknown>): string {
  const items = issue.path ?? [];
  const path = items.map((p, i) => (typeof p.key === 'number' ? `[${p.key}]` : `${i ? '.' : ''}${String(p.key)}`)).join('') || 'job';
  const last = items.at(-1);
  if (issue.type === 'variant' && last?.key === 'kind') return `${path} ${JSON.stringify(last.value) ?? 'undefined'} is unknown`;
  if (issue.kind === 'schema' && issue.type === 'object' && issue.received === 'undefined' && issue.expected?.startsWith('"')) return `${path} is missing`;
  if (issue.kind === 'schema') return `${path} is not ${typeWords(issue.expected ?? 'valid')}`;
  return `${path} is ${issue.received}, expected ${issue.expected ?? 'something else'}`;
}

const WORDS: Record<string, string> = { Object: 'an object', Array: 'a list', string: 'a string', number: 'a number', boolean: 'a boolean', null: 'null' };

function typeWords(expected: string): string {
  return expected
    .replace(/^\((.*)\)$/, '$1')
    .split(' | ')
    .map((t) => WORDS[t] ?? t)
    .join(' or ');
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
