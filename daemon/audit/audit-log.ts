// The audit log on disk: audit.jsonl in the daemon's home, one JSON record per line, appended
// with write(2) before the call is answered (a SIGKILLed daemon's writes are in the page cache, so
// the next daemon reads them) and fdatasynced in the background. Rotated by size: audit.jsonl →
// audit.1.jsonl → … → audit.KEEP.jsonl, the oldest dropped. A disk that refuses a write costs that
// record (logged once, then counted), never the call, the answer or the daemon.

import { closeSync, fdatasync, fstatSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditRecord } from '../../shared/audit.js';

export const DEFAULT_AUDIT_MAX_BYTES = 4 << 20;
export const DEFAULT_AUDIT_KEEP = 3;

export interface AuditLogOptions {
  /** Rotate once the current file reaches this size. */
  maxBytes?: number;
  /** Rotated files kept besides the current one. */
  keep?: number;
  /** Background fdatasync at most this often (0: none). */
  syncEveryMs?: number;
  /** Told when a write fails and when writing works again (the daemon logs it). */
  onError?: (err: unknown, what: string) => void;
  onRecovered?: (dropped: number) => void;
}

export interface AuditQuery {
  sinceMs?: number;
  methods?: readonly string[];
  limit: number;
}

export class AuditLog {
  private fd: number | null = null;
  private size = 0;
  private dirty = false;
  /** Records the disk refused since the last one it took. */
  private failing = 0;
  /** Records lost to a refusing disk since the daemon started. */
  dropped = 0;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly timer: NodeJS.Timeout | null;
  private readonly onError: (err: unknown, what: string) => void;
  private readonly onRecovered: (dropped: number) => void;

  constructor(
    private readonly dir: string,
    options: AuditLogOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES;
    this.keep = options.keep ?? DEFAULT_AUDIT_KEEP;
    this.onError = options.onError ?? (() => undefined);
    this.onRecovered = options.onRecovered ?? (() => undefined);
    const every = options.syncEveryMs ?? 1000;
    this.timer = every > 0 ? setInterval(() => this.syncInBackground(), every) : null;
    this.timer?.unref();
  }

  /** The file of generation n: 0 is the current one. */
  file(n: number): string {
    return join(this.dir, n === 0 ? 'audit.jsonl' : `audit.${n}.jsonl`);
  }

  append(record: AuditRecord): void {
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    try {
      if (this.fd === null) this.open();
      if (this.size > 0 && this.size + line.length > this.maxBytes) this.rotate();
      this.writeLine(line);
    } catch (err) {
      this.dropped++;
      if (this.failing++ === 0) this.onError(err, 'could not write to the audit log; records are dropped until it works again (only counted meanwhile)');
      return;
    }
    if (this.failing > 0) this.onRecovered(this.failing);
    this.failing = 0;
  }

  /** Matching records, newest first. Damaged lines are skipped; only as many lines are parsed as it takes. */
  read(query: AuditQuery): AuditRecord[] {
    const found: AuditRecord[] = [];
    for (let n = 0; n <= this.keep && found.length < query.limit; n++) {
      const lines = readLines(this.file(n));
      let newest: number | null = null;
      for (let i = lines.length - 1; i >= 0 && found.length < query.limit; i--) {
        // Each line starts {"at":N,"method":"M": the filters need no JSON.parse of lines they skip.
        const head = HEAD.exec(lines[i]!);
        if (!head) continue;
        const at = Number(head[1]);
        newest ??= at;
        if (query.sinceMs !== undefined && at < query.sinceMs) continue;
        if (query.methods?.length && !query.methods.includes(head[2]!)) continue;
        const r = parseRecord(lines[i]!);
        if (r) found.push(r);
      }
      // Older files hold only older calls (a call is written when it ends: allow for a long one).
      if (query.sinceMs !== undefined && newest !== null && newest + 3_600_000 < query.sinceMs) break;
    }
    // A long call is written when it ends: order by arrival.
    return found.sort((a, b) => b.at - a.at);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.fd === null) return;
    try {
      fdatasync(this.fd, () => undefined);
      closeSync(this.fd);
    } catch {
      // closing is best effort: every record was written already
    }
    this.fd = null;
  }

  private open(): void {
    this.fd = openSync(this.file(0), 'a+', 0o600);
    this.size = fstatSync(this.fd).size;
    // A daemon killed mid-write left a torn line: the next record starts on a line of its own.
    const last = Buffer.alloc(1);
    if (this.size > 0 && readSync(this.fd, last, 0, 1, this.size - 1) === 1 && last[0] !== 10) this.writeLine(Buffer.from('\n'));
  }

  private writeLine(line: Buffer): void {
    for (let off = 0; off < line.length; ) off += writeSync(this.fd!, line, off, line.length - off);
    this.size += line.length;
    this.dirty = true;
  }

  private rotate(): void {
    closeSync(this.fd!);
    this.fd = null;
    rmSync(this.file(this.keep), { force: true });
    for (let n = this.keep - 1; n >= 0; n--) {
      try {
        renameSync(this.file(n), this.file(n + 1));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    this.open();
  }

  private syncInBackground(): void {
    if (!this.dirty || this.fd === null) return;
    this.dirty = false;
    fdatasync(this.fd, () => undefined);
  }
}

const HEAD = /^\{"at":(\d+),"method":"([^"]+)"/;

/** The lines of one file (none when it does not exist). */
function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return [];
  }
}

/** One record, or null for an empty, torn (a crash mid-write) or damaged line. */
function parseRecord(line: string): AuditRecord | null {
  if (!line) return null;
  try {
    const r = JSON.parse(line) as Partial<AuditRecord>;
    return typeof r.at === 'number' && typeof r.method === 'string' ? (r as AuditRecord) : null;
  } catch {
    return null;
  }
}
