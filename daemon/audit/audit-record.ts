// The audit record of one call, built without side effects: the params without environment values
// (a token in `env` must never reach the audit), cut to a bounded size, and the result in short.

import { errorCodeName } from '../../shared/errors.js';
import type { AuditClient, AuditRecord, AuditResult } from '../../shared/audit.js';
import { isObject } from '../../shared/rpc.js';

/** Strings longer than this are cut (an argv item, a shell script). */
export const MAX_STRING_CHARS = 300;
/** Arrays longer than this keep their first items and say how many more there were. */
export const MAX_ARRAY_ITEMS = 40;
/** Environment names are short and telling: more of them are kept. */
export const MAX_ENV_NAMES = 500;
const MAX_DEPTH = 5;

export interface CallFacts {
  at: number;
  method: string;
  client: AuditClient;
  /** The params as the client sent them (validated or not). */
  params: unknown;
  ms: number;
  outcome: { ok: true; result: unknown } | { ok: false; code: number; message: string };
}

export function auditRecord(call: CallFacts): AuditRecord {
  return { at: call.at, method: call.method, client: call.client, params: auditParams(call.params), result: resultInShort(call.outcome), ms: call.ms };
}

/** The params with each `env` map replaced by its sorted names, and long strings and lists cut. */
export function auditParams(params: unknown): Record<string, unknown> {
  if (!isObject(params)) return params === undefined || params === null ? {} : { invalid: bounded(params, 0) };
  return bounded(params, 0) as Record<string, unknown>;
}

function bounded(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > MAX_STRING_CHARS ? `${value.slice(0, MAX_STRING_CHARS)}… (${value.length} chars)` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_ARRAY_ITEMS).map((item) => bounded(item, depth + 1));
    return value.length > MAX_ARRAY_ITEMS ? [...kept, `… (+${value.length - MAX_ARRAY_ITEMS} more)`] : kept;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // Names only: the values are where tokens and passwords live.
    // Whatever shape `env` has: a refused call's `["API_KEY=s3cr3t"]` is audited as well.
    if (key === 'env') out.envKeys = isObject(item) ? Object.keys(item).sort().slice(0, MAX_ENV_NAMES).map((name) => bounded(name, depth + 1)) : '<not an object: left out>';
    else out[key] = bounded(item, depth + 1);
  }
  return out;
}

/** ok with the jobs acted on (and those that failed), or the error's code and name. */
export function resultInShort(outcome: CallFacts['outcome']): AuditResult {
  if (!outcome.ok) return { ok: false, code: outcome.code, error: errorCodeName(outcome.code), message: bounded(outcome.message, 0) as string };
  const result = outcome.result;
  const short: AuditResult = { ok: true, jobs: jobsOf(result) };
  const failed = Array.isArray(result) ? result.filter((item) => isObject(item) && item.ok === false).map(failureOf) : isObject(result) && Array.isArray(result.failed) ? result.failed.map(failureOf) : [];
  if (failed.length) short.failed = failed;
  if (isObject(result) && typeof result.name === 'string' && ('parallel' in result || result.removed === true)) short.group = result.name;
  return short;
}

/** The job ids an answer names as acted on: per-job items that succeeded, `removed`, a job itself, cleanup's jobs. */
function jobsOf(result: unknown): number[] {
  if (Array.isArray(result)) return result.filter((item) => isObject(item) && item.ok !== false && typeof item.id === 'number').map((item) => (item as { id: number }).id);
  if (!isObject(result)) return [];
  if (Array.isArray(result.removed)) return numbers(result.removed);
  if (typeof result.id === 'number') return [result.id];
  // cleanup: the jobs whose leftovers it stopped, and the records it pruned.
  const leftovers = isObject(result.leftovers) ? numbers(result.leftovers.jobs) : [];
  const pruned = Array.isArray(result.pruned) ? result.pruned.map((p) => (isObject(p) ? p.id : p)) : [];
  return [...new Set([...leftovers, ...numbers(pruned)])];
}

function numbers(list: unknown): number[] {
  return Array.isArray(list) ? list.filter((x): x is number => typeof x === 'number') : [];
}

function failureOf(item: unknown): { ref: number | string; error: string } {
  const o = isObject(item) ? item : {};
  const ref = typeof o.ref === 'number' || typeof o.ref === 'string' ? o.ref : '?';
  const err = isObject(o.error) ? o.error : {};
  return { ref, error: typeof err.name === 'string' ? err.name : typeof err.code === 'number' ? errorCodeName(err.code) : 'unknown' };
}
