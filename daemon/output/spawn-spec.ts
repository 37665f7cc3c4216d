// The daemon's side of the shim contract (daemon/shim/procd-shim.pl documents the shim's side):
// the spawn spec the shim reads, the event lines it writes on its stdout, and the `started`,
// `exit`, `closed` and `lost` files it leaves in the job directory.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SpawnError } from '../../shared/job.js';

export const SPAWN_SPEC_FILE = 'spawn.spec';
export const STARTED_FILE = 'started';
export const EXIT_FILE = 'exit';
export const CLOSED_FILE = 'closed';
export const LOST_FILE = 'lost';

export interface SpawnSpec {
  /** argv[0] is looked up in env.PATH; no shell. No element may contain NUL. */
  argv: string[];
  cwd: string;
  /** The job's entire environment (nothing of the shim's is added). Keys: non-empty, no '=' or NUL. */
  env: Record<string, string>;
  /** Disk cap per stream, bytes (> 0). */
  maxOutputBytes: number;
  /** Size of one output segment file, bytes (> 0); the shim clamps it to maxOutputBytes. */
  segmentBytes: number;
  /** The job's cgroup directory: the child joins it before exec, or the spawn fails. Absent: none (version 1). */
  cgroup?: string | null;
}

/**
 * Encodes a spec: NUL-terminated fields
 * `procd-spawn-spec 1 maxOutputBytes segmentBytes cwd argc argv... envc KEY=VALUE...`; with a
 * cgroup, version 2: `procd-spawn-spec 2 maxOutputBytes segmentBytes cgroup cwd ...` (the rest as 1).
 * NUL-separated because argv and env may hold any other byte, newlines included, and because
 * Perl splits it far faster than it loads a JSON parser. Throws a TypeError naming a bad field.
 */
export function encodeSpawnSpec(spec: SpawnSpec): Buffer {
  const cgroup = spec.cgroup ?? null;
  const fields: string[] = ['procd-spawn-spec', cgroup === null ? '1' : '2'];
  for (const key of ['maxOutputBytes', 'segmentBytes'] as const) {
    const v = spec[key];
    if (!Number.isSafeInteger(v) || v <= 0) throw new TypeError(`spawn spec: ${key} must be a positive integer, got ${v}`);
    fields.push(String(v));
  }
  if (!Array.isArray(spec.argv) || spec.argv.length === 0) throw new TypeError('spawn spec: argv must be a non-empty array');
  if (spec.argv[0] === '') throw new TypeError('spawn spec: argv[0] must not be empty');
  if (cgroup !== null) {
    noNul('cgroup', cgroup);
    if (!cgroup.startsWith('/')) throw new TypeError('spawn spec: cgroup must be an absolute path');
  }
  noNul('cwd', spec.cwd);
  if (spec.cwd === '') throw new TypeError('spawn spec: cwd must not be empty');
  if (cgroup !== null) fields.push(cgroup);
  fields.push(spec.cwd, String(spec.argv.length));
  spec.argv.forEach((arg, i) => {
    noNul(`argv[${i}]`, arg);
    fields.push(arg);
  });
  const env = Object.entries(spec.env);
  fields.push(String(env.length));
  for (const [k, v] of env) {
    if (k === '' || k.includes('=')) throw new TypeError(`spawn spec: environment name ${JSON.stringify(k)} is empty or contains '='`);
    noNul(`env name ${JSON.stringify(k)}`, k);
    noNul(`env ${k}`, v);
    fields.push(`${k}=${v}`);
  }
  return Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
}

function noNul(what: string, value: unknown): void {
  if (typeof value !== 'string') throw new TypeError(`spawn spec: ${what} must be a string`);
  if (value.includes('\0')) throw new TypeError(`spawn spec: ${what} contains a NUL byte`);
}

/**
 * Writes `<jobDir>/spawn.spec`, mode 0600 (it holds the environment). Straight to its name, not a
 * temp file + rename: no shim reads it before this resolves (the launcher starts the shim after),
 * and a daemon that dies mid-write leaves a directory the next launch moves aside as stale
 * (launcher.ts). Saves a rename (a directory update in the filesystem's journal) per start.
 */
export async function writeSpawnSpec(jobDir: string, spec: SpawnSpec): Promise<void> {
  await writeFile(join(jobDir, SPAWN_SPEC_FILE), encodeSpawnSpec(spec), { mode: 0o600 });
}

/** One line of the shim's event channel (its stdout). The files stay the source of truth. */
export type ShimEvent =
  | { type: 'started'; pid: number; at: number }
  | { type: 'spawn_error'; code: string; message: string; at: number }
  /** exitCode is 128+N when signal N killed it; both null only when the status was unknowable. */
  | { type: 'exited'; exitCode: number | null; signal: number | null; at: number }
  | { type: 'closed'; at: number };

const INT = /^(0|[1-9][0-9]*)$/;

/**
 * Parses one event line (without its newline). Formats:
 * `started <pid> <epochMs>`, `spawn_error <ERRNO> <epochMs> <message...>`,
 * `exited <exitCode|-> <signal|-> <epochMs>`, `closed <epochMs>`. Returns null for anything else.
 */
export function parseShimEvent(line: string): ShimEvent | null {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  const parts = text.split(' ');
  const num = (s: string | undefined): number | null => (s !== undefined && INT.test(s) ? Number(s) : null);
  const opt = (s: string | undefined): number | null | undefined => (s === '-' ? null : (num(s) ?? undefined));
  switch (parts[0]) {
    case 'started': {
      const pid = num(parts[1]);
      const at = num(parts[2]);
      return parts.length === 3 && pid !== null && at !== null ? { type: 'started', pid, at } : null;
    }
    case 'spawn_error': {
      const code = parts[1];
      const at = num(parts[2]);
      if (!code || !/^[A-Z][A-Z0-9_]*$/.test(code) || at === null) return null;
      return { type: 'spawn_error', code, at, message: parts.slice(3).join(' ') };
    }
    case 'exited': {
      const exitCode = opt(parts[1]);
      const signal = opt(parts[2]);
      const at = num(parts[3]);
      if (parts.length !== 4 || exitCode === undefined || signal === undefined || at === null) return null;
      return { type: 'exited', exitCode, signal, at };
    }
    case 'closed': {
      const at = num(parts[1]);
      return parts.length === 2 && at !== null ? { type: 'closed', at } : null;
    }
    default:
      return null;
  }
}

/** A spawn failure as the shim reports it; which step failed is told by its message (see procd-shim.pl). */
export function shimSpawnError(code: string, message: string): SpawnError {
  return { code, message, step: message.startsWith('cannot change directory') ? 'chdir' : 'exec' };
}

export interface StartedRecord {
  pid: number;
  shimPid: number;
  at: number;
}

/** The `exit` file: how the main process ended, or why it never started. */
export type ExitRecord =
  | {
      pid: number;
      shimPid: number;
      /** 128+N for a death by signal N; null (with signal null) only when the status was unknowable. */
      exitCode: number | null;
      signal: number | null;
      coreDumped: boolean;
      startedAt: number;
      at: number;
    }
  | { spawnError: SpawnError; pid: number | null; shimPid: number; at: number };

export interface ClosedRecord {
  at: number;
  stdoutBytes: number;
  stderrBytes: number;
  /** Bytes read from the job but not stored because the disk refused them (see shim.log). */
  lostBytes: number;
}

/** `<jobDir>/started`, or null when the shim has not (yet) started the job. */
export async function readStartedFile(jobDir: string): Promise<StartedRecord | null> {
  const v = await readJson(join(jobDir, STARTED_FILE));
  if (!v || !isInt(v.pid) || !isInt(v.shimPid) || !isInt(v.at)) return null;
  return { pid: v.pid, shimPid: v.shimPid, at: v.at };
}

/** `<jobDir>/exit`, or null while the job has not ended (or the file is unreadable). */
export async function readExitFile(jobDir: string): Promise<ExitRecord | null> {
  const v = await readJson(join(jobDir, EXIT_FILE));
  if (!v || !isInt(v.at) || !isInt(v.shimPid)) return null;
  const se = v.spawnError as Record<string, unknown> | undefined;
  if (se && typeof se === 'object') {
    if (typeof se.code !== 'string' || typeof se.message !== 'string') return null;
    return { spawnError: shimSpawnError(se.code, se.message), pid: isInt(v.pid) ? v.pid : null, shimPid: v.shimPid, at: v.at };
  }
  if (!isInt(v.pid) || !isIntOrNull(v.exitCode) || !isIntOrNull(v.signal)) return null;
  return {
    pid: v.pid,
    shimPid: v.shimPid,
    exitCode: v.exitCode,
    signal: v.signal,
    coreDumped: v.coreDumped === true,
    startedAt: isInt(v.startedAt) ? v.startedAt : v.at,
    at: v.at,
  };
}

/** `<jobDir>/closed`: present once both output pipes reached EOF and the shim is done. */
export async function readClosedFile(jobDir: string): Promise<ClosedRecord | null> {
  const v = await readJson(join(jobDir, CLOSED_FILE));
  if (!v || !isInt(v.at)) return null;
  const n = (x: unknown) => (isInt(x) ? x : 0);
  return { at: v.at, stdoutBytes: n(v.stdoutBytes), stderrBytes: n(v.stderrBytes), lostBytes: n(v.lostBytes) };
}

/** `<jobDir>/lost`: the running count of lost bytes, present once the shim lost any (closed has the final count). */
export async function readLostFile(jobDir: string): Promise<{ at: number; lostBytes: number } | null> {
  const v = await readJson(join(jobDir, LOST_FILE));
  if (!v || !isInt(v.at) || !isInt(v.lostBytes)) return null;
  return { at: v.at, lostBytes: v.lostBytes };
}

/** Bytes of a job's output the disk refused so far: the final count once closed, else the shim's running count. */
export async function readLostBytes(jobDir: string): Promise<number> {
  const closed = await readClosedFile(jobDir);
  if (closed) return closed.lostBytes;
  return (await readLostFile(jobDir))?.lostBytes ?? 0;
}

async function readJson(path: string): Promise<Record<string, any> | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : null;
  } catch {
    return null; // written by rename, so never torn; a corrupt file reads as absent
  }
}

function isInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x);
}

function isIntOrNull(x: unknown): x is number | null {
  return x === null || isInt(x);
}
