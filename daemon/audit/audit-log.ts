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

  /** Matching records, newest first. Damaged lines are skipped. */
  read(query: AuditQuery): AuditRecord[] {
    const found: AuditRecord[] = [];
    for (let n = 0; n <= this.keep && found.length < query.limit; n++) {
      const records = readRecords(this.file(n));
      if (records === null) continue;
      for (let i = records.length - 1; i >= 0 && found.length < query.limit; i--) {
        const r = records[i]!;
        if (query.sinceMs !== undefined && r.at < query.sinceMs) continue;
        if (query.methods?.length && !query.methods.includes(r.method)) continue;
        found.push(r);
      }
      // Older files hold only older calls (appended at their end, so allow for a long call).
      const newest = records.at(-1);
      if (query.sinceMs !== undefined && newest && newest.at + 3_600_000 < query.sinceMs) break;
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

/** The records of one file in order, or null when it does not exist. */
function readRecords(file: string): AuditRecord[] | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const records: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const r = JSON.parse(line) as Partial<AuditRecord>;
      if (typeof r.at === 'number' && typeof r.method === 'string') records.push(r as AuditRecord);
    } catch {
      // a torn last line (a crash mid-write) or a damaged one
    }
  }
  return records;
}
