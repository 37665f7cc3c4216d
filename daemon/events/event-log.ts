// The durable side of the event bus: sequence numbers that keep growing across daemon restarts,
// and the replay buffer of lifecycle events.
//
// - Numbers are handed out from a reserved block whose end is fsynced (events.seq.json) before
//   the first number of it is used, so a daemon killed at any moment is followed by one that
//   starts after anything it may have sent. A clean stop records the last number actually used,
//   so a plain restart skips none.
// - Each kept event is written (write(2), no fsync) before any subscriber is sent it: a killed
//   daemon's writes are in the page cache, so the next daemon has every event a subscriber saw.
//   The file is fdatasynced in the background at most once per `syncEveryMs`; after a machine
//   crash (a new boot id) the unsynced tail is reported to resuming subscribers as a lost range.
// - Two files of `keep` events each (events.prev.ndjson, events.ndjson): when the current one is
//   full it becomes the previous one, so between `keep` and 2×`keep` events are kept. Each file
//   starts with a header line `{"after":N}`: the seq of the last event before it.

import { closeSync, existsSync, fdatasync, fsyncSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { syncDir, writeFileAtomic } from '../store/files.js';
import type { ReplayState, SeqRange } from './replay.js';

export const EVENTS_KEPT = 10_000;
const RESERVE_BLOCK = 1000;

export interface EventLogOptions {
  /** Events per file (the buffer holds between this and twice this). */
  keep?: number;
  /** Numbers reserved per fsync of events.seq.json. */
  reserveBlock?: number;
  /** Background fdatasync of the event file at most this often (0: none). */
  syncEveryMs?: number;
  /** Told about a failed write that did not stop anything (the daemon logs it). */
  onError?: (err: unknown, what: string) => void;
  /** This boot's id (null where unknown: an unclean stop then counts as a possible loss). */
  bootId?: string | null;
}

interface SeqFile {
  reservedThrough: number;
  clean: boolean;
  bootId: string | null;
  lost: SeqRange[];
}

export interface KeptEvent {
  seq: number;
  /** The event as JSON, exactly as it was sent. */
  line: string;
}

export class EventLog {
  private lastIssued = 0;
  private reservedThrough = 0;
  private firstKept = 1;
  private lost: SeqRange[] = [];
  private kept: KeptEvent[] = [];
  /** How many of `kept` are in the previous file. */
  private prevCount = 0;
  private fd: number | null = null;
  private dirty = false;
  private closed = false;
  private tornTail = false;
  private readonly timer: NodeJS.Timeout | null;
  private readonly keep: number;
  private readonly block: number;
  private readonly bootId: string | null;
  private readonly onError: (err: unknown, what: string) => void;
  private readonly seqFile: string;
  private readonly current: string;
  private readonly prev: string;
  /** Problems found while loading (a damaged line), for the daemon's log. */
  readonly warnings: string[] = [];

  constructor(
    private readonly dir: string,
    options: EventLogOptions = {},
  ) {
    this.keep = options.keep ?? EVENTS_KEPT;
    this.block = options.reserveBlock ?? RESERVE_BLOCK;
    this.bootId = options.bootId === undefined ? readBootId() : options.bootId;
    this.onError = options.onError ?? (() => undefined);
    this.seqFile = join(dir, 'events.seq.json');
    this.current = join(dir, 'events.ndjson');
    this.prev = join(dir, 'events.prev.ndjson');
    this.load();
    this.reserve(this.lastIssued + this.block);
    try {
      this.openCurrent();
    } catch (err) {
      this.onError(err, 'could not open the event file; events are kept in memory only');
    }
    const every = options.syncEveryMs ?? 1000;
    this.timer = every > 0 ? setInterval(() => this.syncInBackground(), every) : null;
    this.timer?.unref();
  }

  get lastSeq(): number {
    return this.lastIssued;
  }

  state(): ReplayState {
    return { lastSeq: this.lastIssued, firstAvailable: this.firstKept, lost: this.lost };
  }

  entries(): readonly KeptEvent[] {
    return this.kept;
  }

  /** The next number; reserves (and fsyncs) a new block when this one is used up. */
  nextSeq(): number {
    const seq = ++this.lastIssued;
    if (seq > this.reservedThrough) this.reserve(seq + this.block - 1);
    return seq;
  }

  /** Keeps an event: written before the caller sends it to anyone. Throws when the write fails. */
  append(seq: number, line: string): void {
    // Kept in memory even when the disk refuses it: this daemon can still replay it.
    this.kept.push({ seq, line });
    if (this.fd === null) throw new Error('the event file is not open');
    // After a write that failed part-way, the next line starts on a line of its own.
    writeAll(this.fd, `${this.tornTail ? '\n' : ''}${line}\n`, () => (this.tornTail = true));
    this.tornTail = false;
    this.dirty = true;
    if (this.kept.length - this.prevCount >= this.keep) this.rotate();
  }

  /** Flushes and records the last number used, so the next daemon continues right after it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.fd !== null) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = null;
    }
    this.writeSeqFile({ reservedThrough: this.lastIssued, clean: true, bootId: this.bootId, lost: this.lost });
  }

  private load(): void {
    const saved = readSeqFile(this.seqFile);
    const prev = readEvents(this.prev, false, this.warnings);
    const current = readEvents(this.current, true, this.warnings);
    this.kept = [...prev.events, ...current.events];
    this.prevCount = prev.events.length;
    const oldestAfter = prev.exists ? prev.after : current.exists ? current.after : null;
    const lastLogged = this.kept.at(-1)?.seq ?? oldestAfter ?? 0;
    this.lastIssued = Math.max(lastLogged, saved?.reservedThrough ?? 0);
    this.firstKept = (oldestAfter ?? (this.kept[0] ? this.kept[0].seq - 1 : this.lastIssued)) + 1;
    this.lost = saved?.lost ?? [];
    // A daemon killed on this boot left every write in the page cache; after a machine crash the
    // unsynced tail may be gone, and what a subscriber may have seen of it cannot be replayed.
    const sameBoot = saved?.bootId != null && saved.bootId === this.bootId;
    if (saved && !saved.clean && !sameBoot && saved.reservedThrough > lastLogged) this.lost.push({ from: lastLogged + 1, to: saved.reservedThrough });
    this.lost = this.lost.filter((r) => r.to >= this.firstKept);
  }

  private openCurrent(): void {
    const fresh = !existsSync(this.current);
    this.fd = openSync(this.current, 'a', 0o600);
    if (fresh) {
      writeAll(this.fd, `${JSON.stringify({ after: this.kept.at(-1)?.seq ?? this.firstKept - 1 })}\n`);
      syncDir(this.dir);
    }
  }

  private rotate(): void {
    if (this.fd !== null) {
      try {
        fsyncSync(this.fd);
      } finally {
        closeSync(this.fd);
        this.fd = null;
      }
    }
    renameSync(this.current, this.prev);
    const dropped = this.kept.splice(0, this.prevCount);
    if (dropped.length) this.firstKept = dropped.at(-1)!.seq + 1;
    this.prevCount = this.kept.length;
    this.lost = this.lost.filter((r) => r.to >= this.firstKept);
    this.openCurrent();
  }

  /**
   * A disk that refuses the reservation must not stop the daemon or its events: numbers go on
   * (a crash before the next successful reservation could then repeat some), and it says so.
   */
  private reserve(through: number): void {
    this.reservedThrough = through;
    try {
      this.writeSeqFile({ reservedThrough: through, clean: false, bootId: this.bootId, lost: this.lost });
    } catch (err) {
      this.onError(err, 'could not reserve event numbers');
    }
  }

  private writeSeqFile(content: SeqFile): void {
    writeFileAtomic(this.seqFile, JSON.stringify(content));
  }

  private syncInBackground(): void {
    if (!this.dirty || this.fd === null) return;
    this.dirty = false;
    // Off the hot path: a machine crash loses at most this interval, and says so (see load()).
    fdatasync(this.fd, () => undefined);
  }
}

function writeAll(fd: number, text: string, onPartial: () => void = () => undefined): void {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length; ) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      if (off > 0) onPartial();
      throw err;
    }
  }
}

function readBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

function readSeqFile(file: string): SeqFile | null {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Partial<SeqFile>;
    if (typeof v.reservedThrough !== 'number') return null;
    const lost = Array.isArray(v.lost) ? v.lost.filter((r): r is SeqRange => typeof r?.from === 'number' && typeof r.to === 'number') : [];
    return { reservedThrough: v.reservedThrough, clean: v.clean === true, bootId: typeof v.bootId === 'string' ? v.bootId : null, lost };
  } catch {
    return null;
  }
}

const SEQ_PREFIX = /^\{"seq":(\d+),/;

/** Reads one event file; a torn last line (a crash mid-write) is cut off so appends start clean. */
function readEvents(file: string, truncateTorn: boolean, warnings: string[]): { exists: boolean; after: number | null; events: KeptEvent[] } {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return { exists: false, after: null, events: [] };
  }
  const end = buf.lastIndexOf(10) + 1;
  if (end < buf.length && truncateTorn) {
    try {
      truncateSync(file, end);
    } catch {
      warnings.push(`${file}: could not cut off a torn last line`);
    }
  }
  let after: number | null = null;
  const events: KeptEvent[] = [];
  for (const line of buf.toString('utf8', 0, end).split('\n')) {
    if (!line) continue;
    const m = SEQ_PREFIX.exec(line);
    if (m) {
      const seq = Number(m[1]);
      if (seq > (events.at(-1)?.seq ?? after ?? 0)) events.push({ seq, line });
      continue;
    }
    const header = /^\{"after":(\d+)\}$/.exec(line);
    if (header && after === null && events.length === 0) after = Number(header[1]);
    else warnings.push(`${file}: skipped a damaged event line`);
  }
  return { exists: true, after, events };
}
