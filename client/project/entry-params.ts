// A project file's entry → `track` params, through one normal form: durations in ms, sizes in bytes,
// signals by canonical name, priorities as numbers, `after` as sorted full names, a probe's text as
// `{ when }`, env files folded into env, `service: true` as `kind: service`. The normal form is what
// is hashed (`declared.hash`), so writing `grace: 5s` or `grace: 5000ms` changes nothing, and what
// `up` compares field by field to say what changed. Pure: env files are read by the caller.

import { hash } from 'node:crypto';
import { resolve } from 'node:path';
import { parseDuration, parseSize } from '../../shared/duration.js';
import type { ParamsIn } from '../../shared/methods.js';
import { priorityValue } from '../../shared/queue.js';
import { parseSignal } from '../../shared/signals.js';
import type { ProjectEntry, ProjectProbe } from '../../shared/schemas/project-file.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type TrackParams = ParamsIn<'track'>;
type ProbeParam = NonNullable<NonNullable<TrackParams['probes']>['ready']>;

/** An entry in normal form, keyed by the file's own key names (what `changed:` names). */
export interface NormalEntry {
  command?: string[];
  shell?: string;
  cwd: string;
  env: Record<string, string>;
  description?: string;
  tags?: string[];
  kind?: 'service' | 'task';
  restart?: string;
  restart_delay?: number;
  restart_max_delay?: number;
  max_restarts?: number;
  restart_window?: number;
  max_memory?: number;
  max_cpu?: number;
  max_fds?: number;
  max_procs?: number;
  on_limit?: string;
  max_output?: number;
  stop_signal?: string;
  grace?: number;
  timeout?: number;
  expect?: number;
  stuck_after?: number;
  group?: string;
  priority?: number;
  /** Full job names with their condition: `shop/api:ready`. */
  after?: string[];
  ready_when?: ProbeParam;
  alive_when?: ProbeParam;
}

/** The fields in a fixed order: `declared.hash` carries one short digest per field, in this order. Append only. */
export const NORMAL_FIELDS = [
  'command', 'shell', 'cwd', 'env', 'description', 'tags', 'kind', 'restart', 'restart_delay', 'restart_max_delay', 'max_restarts', 'restart_window',
  'max_memory', 'max_cpu', 'max_fds', 'max_procs', 'on_limit', 'max_output', 'stop_signal', 'grace', 'timeout', 'expect', 'stuck_after',
  'group', 'priority', 'after', 'ready_when', 'alive_when',
] as const satisfies readonly (keyof NormalEntry)[];

export interface EntryContext {
  project: string;
  /** The file's directory: `cwd` is relative to it. */
  dir: string;
  /** What the entry's env files say, merged in order (already read). */
  fileEnv: Record<string, string>;
}

const ms = (x: string | number | undefined) => (x === undefined ? undefined : (parseDuration(String(x)) ?? undefined));
const bytes = (x: string | number | undefined) => (x === undefined ? undefined : (parseSize(String(x)) ?? undefined));

/** `api` → `shop/api`; `api:ready` → `shop/api:ready`. */
export function fullDependency(project: string, dep: string): string {
  return `${project}/${dep}`;
}

/** The entry (already validated against the schema) in normal form. */
export function normalizeEntry(entry: ProjectEntry, ctx: EntryContext): NormalEntry {
  const env: Record<string, string> = { ...ctx.fileEnv };
  for (const [k, val] of Object.entries(entry.env ?? {})) env[k] = String(val);
  const n: NormalEntry = { cwd: resolve(ctx.dir, entry.cwd ?? '.'), env };
  if (entry.command) n.command = entry.command;
  if (entry.shell !== undefined) n.shell = entry.shell;
  if (entry.description !== undefined) n.description = entry.description;
  if (entry.tags) n.tags = entry.tags;
  const kind = entry.service === true ? 'service' : entry.kind === 'service' || entry.kind === 'task' ? entry.kind : undefined;
  if (kind) n.kind = kind;
  const put = <K extends keyof NormalEntry>(key: K, value: NormalEntry[K] | undefined) => {
    if (value !== undefined) n[key] = value;
  };
  put('restart', entry.restart);
  put('restart_delay', ms(entry.restart_delay));
  put('restart_max_delay', ms(entry.restart_max_delay));
  put('max_restarts', entry.max_restarts);
  put('restart_window', ms(entry.restart_window));
  put('max_memory', bytes(entry.max_memory));
  put('max_cpu', entry.max_cpu === undefined ? undefined : Number(String(entry.max_cpu).replace(/%$/, '')));
  put('max_fds', entry.max_fds);
  put('max_procs', entry.max_procs);
  put('on_limit', entry.on_limit);
  put('max_output', bytes(entry.max_output));
  put('stop_signal', entry.stop_signal === undefined ? undefined : parseSignal(entry.stop_signal)?.name);
  put('grace', ms(entry.grace));
  put('timeout', ms(entry.timeout));
  put('expect', ms(entry.expect));
  put('stuck_after', ms(entry.stuck_after));
  put('group', entry.group);
  put('priority', entry.priority === undefined ? undefined : (priorityValue(entry.priority) ?? undefined));
  if (entry.after?.length) n.after = [...new Set(entry.after.map((d) => fullDependency(ctx.project, d)))].sort();
  put('ready_when', normalProbe(entry.ready_when));
  put('alive_when', normalProbe(entry.alive_when));
  return n;
}

function normalProbe(p: ProjectProbe | undefined): ProbeParam | undefined {
  if (p === undefined) return undefined;
  if (typeof p === 'string') return { when: p };
  const out: ProbeParam = { when: p.when };
  const put = <K extends keyof ProbeParam>(key: K, value: ProbeParam[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  put('intervalMs', ms(p.interval));
  put('timeoutMs', ms(p.timeout));
  put('initialDelayMs', ms(p.initial_delay));
  put('successThreshold', p.success_threshold);
  put('failureThreshold', p.failure_threshold);
  return out;
}

/** JSON with sorted keys: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  const sort = (x: unknown): Json => {
    if (Array.isArray(x)) return x.map(sort);
    if (x !== null && typeof x === 'object') {
      return Object.fromEntries(Object.keys(x).sort().filter((k) => (x as Record<string, unknown>)[k] !== undefined).map((k) => [k, sort((x as Record<string, unknown>)[k])]));
    }
    return x as Json;
  };
  return JSON.stringify(sort(value));
}

// crypto.hash, one call per digest: createHash's object per digest cost ~10× more over a 100-entry file.
const digest = (text: string) => hash('sha256', text, 'base64url');

/** Field text → its 3-character digest: most fields of most entries are equal (unset, the same cwd…), so a 100-entry file needs a few dozen digests, not 2,800. */
const fieldDigests = new Map<string, string>();
const FIELD_DIGESTS_KEPT = 4096;

function fieldDigest(value: unknown): string {
  const text = canonicalJson(value ?? null);
  let d = fieldDigests.get(text);
  if (d === undefined) {
    d = digest(text).slice(0, 3);
    if (fieldDigests.size >= FIELD_DIGESTS_KEPT) fieldDigests.clear(); // bounded in a long-lived process (mcp, dashboard)
    fieldDigests.set(text, d);
  }
  return d;
}

/**
 * `v1.<16 hex of the whole entry>.<3 characters per field of NORMAL_FIELDS>` (under the protocol's
 * 200 characters): the whole says whether the entry changed, the per-field part which fields did.
 */
export function entryHash(n: NormalEntry): string {
  const whole = hash('sha256', canonicalJson(n), 'hex').slice(0, 16);
  const fields = NORMAL_FIELDS.map((f) => fieldDigest(n[f])).join('');
  return `v1.${whole}.${fields}`;
}

/** Which fields differ between the entry a job was started from (its hash) and `now`; null when the old hash is not one this client wrote. */
export function changedFields(oldHash: string, now: NormalEntry): string[] | null {
  const m = /^v1\.[0-9a-f]{16}\.([A-Za-z0-9_-]+)$/.exec(oldHash);
  if (!m || m[1]!.length !== NORMAL_FIELDS.length * 3) return null;
  const old = m[1]!;
  return NORMAL_FIELDS.filter((f, i) => old.slice(i * 3, i * 3 + 3) !== fieldDigest(now[f]));
}

/** The `track` params of an entry: `baseEnv` (the environment `up` runs in) under the entry's own. */
export function trackParams(n: NormalEntry, where: { project: string; entry: string; file: string; hash: string }, baseEnv: Record<string, string>): TrackParams {
  const p: TrackParams = { cwd: n.cwd, env: { ...baseEnv, ...n.env }, name: `${where.project}/${where.entry}` };
  if (n.command) p.argv = n.command;
  if (n.shell !== undefined) p.shell = n.shell;
  if (n.description !== undefined) p.description = n.description;
  if (n.tags) p.tags = n.tags;
  if (n.kind) p.kind = n.kind;
  if (n.timeout !== undefined) p.timeoutMs = n.timeout;
  if (n.expect !== undefined) p.expectMs = n.expect;
  if (n.stuck_after !== undefined) p.stuckAfterMs = n.stuck_after;
  if (n.max_output !== undefined) p.maxOutputBytes = n.max_output;
  if (n.stop_signal !== undefined) p.stopSignal = n.stop_signal;
  if (n.grace !== undefined) p.stopGraceMs = n.grace;
  const limits: NonNullable<TrackParams['limits']> = {};
  if (n.max_memory !== undefined) limits.maxMemoryBytes = n.max_memory;
  if (n.max_cpu !== undefined) limits.maxCpuPercent = n.max_cpu;
  if (n.max_fds !== undefined) limits.maxFds = n.max_fds;
  if (n.max_procs !== undefined) limits.maxProcs = n.max_procs;
  if (n.on_limit !== undefined) limits.onLimit = n.on_limit as NonNullable<typeof limits.onLimit>;
  if (Object.keys(limits).length) p.limits = limits;
  const figures = { delayMs: n.restart_delay, maxDelayMs: n.restart_max_delay, maxRestarts: n.max_restarts, windowMs: n.restart_window };
  const given = Object.fromEntries(Object.entries(figures).filter(([, x]) => x !== undefined));
  const policy = n.restart ?? (Object.keys(given).length || n.on_limit === 'restart' ? 'on-failure' : undefined);
  if (policy) p.restart = { policy: policy as NonNullable<TrackParams['restart']>['policy'], ...given };
  if (n.ready_when || n.alive_when) p.probes = { ...(n.ready_when ? { ready: n.ready_when } : {}), ...(n.alive_when ? { alive: n.alive_when } : {}) };
  if (n.group !== undefined) p.group = n.group;
  if (n.priority !== undefined) p.priority = n.priority;
  if (n.after) p.after = n.after;
  p.declared = where;
  return p;
}
