// The in-memory form of the history: one typed-array column per numeric field and interned
// strings, about 150 bytes a run instead of the ~1.5 KB a HistoryRun object graph costs, so
// 100,000 runs stay well inside the RSS budget. `analyze` reads them in place (viewSince, a
// RunTable); runs are materialised as HistoryRun objects only when asked for; their stderr tails
// stay on disk (the segment line they were read from) and are read when a caller touches
// `stderrTail`.

import { FLAG_KINDS, JOB_KINDS, TERMINAL_STATES } from '../../shared/job.js';
import { LIMIT_KINDS } from '../../shared/limits.js';
import { OUTCOME_KINDS } from '../../shared/outcomes.js';
import type { HistoryRun } from '../../shared/history.js';
import { isSuccess } from './baseline.js';
import { allocate, exitOfCode, flagsOfCode, limitsOfCode, NO_EXIT, NONE, orNull, stateOfCode, type Cols } from './column-layout.js';
import { ColumnsView } from './columns-view.js';
import type { RunTable } from './reader.js';

/** Where a run's line is on disk: its segment (by id) and byte range. */
export interface RunLocation {
  segment: number;
  offset: number;
  length: number;
}

/** Interned strings: equal strings share one copy and one number. Never shrinks until the next load. */
class Pool<T = string> {
  private readonly ids = new Map<string, number>();
  private readonly keys: string[] = [];
  readonly values: T[] = [];
  constructor(private readonly make: (key: string) => T) {}
  get size(): number {
    return this.values.length;
  }
  ref(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      // A copy: a string JSON.parse returned may be a slice that keeps the whole chunk it was read from alive.
      const own = Buffer.from(key, 'utf8').toString('utf8');
      id = this.add(own, this.make(own));
    }
    return id;
  }
  private add(key: string, value: T): number {
    const id = this.values.length;
    this.ids.set(key, id);
    this.keys.push(key);
    this.values.push(value);
    return id;
  }
  /** A pool of only the entries the columns' [first, end) still refer to (the `first` keys come first), with the refs rewritten. */
  repack(columns: Int32Array[], first: number, end: number, firstKeys: string[] = []): Pool<T> {
    const next = new Pool<T>(this.make);
    for (const k of firstKeys) next.ref(k);
    for (const col of columns) {
      for (let i = first; i < end; i++) {
        const ref = col[i]!;
        if (ref === NONE) continue;
        const key = this.keys[ref]!;
        col[i] = next.ids.get(key) ?? next.add(key, this.values[ref]!);
      }
    }
    return next;
  }
}

const frozenList = <T>(key: string): readonly T[] => Object.freeze(JSON.parse(key) as T[]);

export class RunColumns {
  private c: Cols;
  private capacity = 0;
  /** Live runs are at [first, end). */
  private first = 0;
  private end = 0;
  private strings = new Pool<string>((s) => s);
  private lists = new Pool<readonly string[]>(frozenList);
  private errorLists = new Pool<HistoryRun['errors']>((k) => Object.freeze((JSON.parse(k) as HistoryRun['errors']).map((e) => Object.freeze(e))) as HistoryRun['errors']);

  /** `maxRuns`: the arrays never grow beyond what that many runs (plus the one being added) need. */
  private readonly noTags = this.lists.ref('[]');
  private readonly noErrors = this.errorLists.ref('[]');

  constructor(
    private readonly maxRuns = Infinity,
    initialCapacity = 1024,
  ) {
    this.capacity = Math.min(initialCapacity, maxRuns + 1);
    this.c = allocate(this.capacity);
  }

  get size(): number {
    return this.end - this.first;
  }

  /** Makes room for `n` runs at once (a load that knows roughly how many are coming: no repeated growth). */
  reserve(n: number): void {
    const want = Math.min(n, this.maxRuns + 1);
    if (want <= this.capacity) return;
    this.resize(want);
  }

  push(run: HistoryRun, at: RunLocation): void {
    if (this.end === this.capacity) this.grow();
    const i = this.end++;
    const c = this.c;
    c.seq[i] = run.seq;
    c.startedAt[i] = run.startedAt;
    c.endedAt[i] = run.endedAt;
    c.durationMs[i] = run.durationMs;
    c.rssPeak[i] = run.rssPeak ?? NaN;
    c.rssAvg[i] = run.rssAvg ?? NaN;
    c.readyAfterMs[i] = run.readyAfterMs ?? NaN;
    c.cpuPeak[i] = run.cpuPeak ?? NaN;
    c.cpuAvg[i] = run.cpuAvg ?? NaN;
    c.jobId[i] = run.jobId;
    c.run[i] = run.run;
    c.restarts[i] = run.restarts;
    c.exitCode[i] = run.exitCode ?? NO_EXIT;
    c.signature[i] = this.strings.ref(run.signature);
    c.name[i] = this.strings.ref(run.name);
    c.command[i] = this.strings.ref(run.command);
    c.cwd[i] = this.strings.ref(run.cwd);
    c.group[i] = this.strings.ref(run.group);
    c.tags[i] = run.tags.length ? this.lists.ref(JSON.stringify(run.tags)) : this.noTags;
    c.detail[i] = run.outcomeDetail === null ? NONE : this.strings.ref(run.outcomeDetail);
    c.signal[i] = run.signal === null ? NONE : this.strings.ref(run.signal);
    c.errors[i] = run.errors.length ? this.errorLists.ref(JSON.stringify(run.errors)) : this.noErrors;
    c.state[i] = TERMINAL_STATES.indexOf(run.state);
    c.outcome[i] = OUTCOME_KINDS.indexOf(run.outcome);
    c.kind[i] = JOB_KINDS.indexOf(run.kind);
    c.flags[i] = bits(run.flags, FLAG_KINDS);
    c.violations[i] = bits(run.violations, LIMIT_KINDS);
    this.setLocation(i - this.first, at);
  }

  /** Entries in the interning pools (kept runs' and, until repack(), dropped runs'). */
  get interned(): number {
    return this.strings.size + this.lists.size + this.errorLists.size;
  }

  /**
   * Drops interned values only dropped runs used, once they outnumber the kept runs by far (names,
   * commands and error lines that never repeat would otherwise grow without bound while the runs
   * themselves are bounded). O(kept runs); returns whether it repacked.
   */
  repackIfSparse(): boolean {
    if (this.interned <= 4 * this.size + 1024) return false;
    const c = this.c;
    this.strings = this.strings.repack([c.signature, c.name, c.command, c.cwd, c.group, c.detail, c.signal], this.first, this.end);
    // '[]' keeps its number (noTags, noErrors: 0) as the first entry of each list pool.
    this.lists = this.lists.repack([c.tags], this.first, this.end, ['[]']);
    this.errorLists = this.errorLists.repack([c.errors], this.first, this.end, ['[]']);
    return true;
  }

  /** The n-th live run (0: the oldest kept). */
  seqAt(n: number): number {
    return this.c.seq[this.first + n]!;
  }
  endedAt(n: number): number {
    return this.c.endedAt[this.first + n]!;
  }
  jobIdAt(n: number): number {
    return this.c.jobId[this.first + n]!;
  }
  nameAt(n: number): string {
    return this.strings.values[this.c.name[this.first + n]!]!;
  }
  signatureAt(n: number): string {
    return this.strings.values[this.c.signature[this.first + n]!]!;
  }
  stateAt(n: number): HistoryRun['state'] {
    return stateOfCode(this.c.state[this.first + n]!);
  }
  restartsAt(n: number): number {
    return this.c.restarts[this.first + n]!;
  }
  isSuccessAt(n: number): boolean {
    const i = this.first + n;
    return isSuccess(stateOfCode(this.c.state[i]!), exitOfCode(this.c.exitCode[i]!));
  }
  locationAt(n: number): RunLocation {
    const i = this.first + n;
    return { segment: this.c.segment[i]!, offset: this.c.offset[i]!, length: this.c.length[i]! };
  }
  setLocation(n: number, at: RunLocation): void {
    const i = this.first + n;
    this.c.segment[i] = at.segment;
    this.c.offset[i] = at.offset;
    this.c.length[i] = at.length;
  }

  /** The live index of a seq (binary search: seqs only grow), or -1. */
  indexOfSeq(seq: number): number {
    let lo = this.first;
    let hi = this.end - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.c.seq[mid]!;
      if (s === seq) return mid - this.first;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Drops the oldest `count` runs. */
  dropOldest(count: number): void {
    this.first = Math.min(this.end, this.first + count);
    // Reclaim the dropped prefix once it is half the arrays, so memory follows the kept runs.
    if (this.first > 0 && this.first >= this.capacity / 2) this.shift();
  }

  /**
   * The live runs that ended at or after `since`, in their order, read in place (no object per
   * run). Valid until the columns next change (a run recorded, dropped or repacked): read it
   * synchronously.
   */
  viewSince(since: number): RunTable {
    const endedAt = this.c.endedAt;
    let from = this.first;
    while (from < this.end && endedAt[from]! < since) from++;
    // Runs are kept in the order they ended, so all from there on qualify; a history written before
    // that was so may hold a few out of place: then the view lists the rows that do.
    let late = from;
    while (late < this.end && endedAt[late]! >= since) late++;
    if (late === this.end) return new ColumnsView(this.c, this.strings.values, this.errorLists.values, from, this.end);
    const rows: number[] = [];
    for (let i = from; i < this.end; i++) if (endedAt[i]! >= since) rows.push(i);
    return new ColumnsView(this.c, this.strings.values, this.errorLists.values, 0, rows.length, Int32Array.from(rows));
  }

  /** The n-th live run as a HistoryRun; its stderr tail is read (by `tail`) when a caller first touches it. */
  materialise(n: number, tail: (seq: number) => string[]): HistoryRun {
    const i = this.first + n;
    const c = this.c;
    const s = this.strings.values;
    return new StoredRun(
      c.seq[i]!,
      c.jobId[i]!,
      c.run[i]!,
      s[c.name[i]!]!,
      s[c.signature[i]!]!,
      s[c.command[i]!]!,
      s[c.cwd[i]!]!,
      this.lists.values[c.tags[i]!] as string[],
      s[c.group[i]!]!,
      JOB_KINDS[c.kind[i]!]!,
      c.startedAt[i]!,
      c.endedAt[i]!,
      c.durationMs[i]!,
      stateOfCode(c.state[i]!),
      OUTCOME_KINDS[c.outcome[i]!]!,
      c.detail[i] === NONE ? null : s[c.detail[i]!]!,
      exitOfCode(c.exitCode[i]!),
      c.signal[i] === NONE ? null : s[c.signal[i]!]!,
      c.restarts[i]!,
      orNull(c.cpuPeak[i]!),
      orNull(c.cpuAvg[i]!),
      orNull(c.rssPeak[i]!),
      orNull(c.rssAvg[i]!),
      flagsOfCode(c.flags[i]!),
      limitsOfCode(c.violations[i]!),
      orNull(c.readyAfterMs[i]!),
      this.errorLists.values[c.errors[i]!] as HistoryRun['errors'],
      tail,
    );
  }

  private grow(): void {
    // A dropped prefix of a quarter or more is room enough; a smaller one would be shifted again soon.
    if (this.first >= this.capacity / 4) return this.shift();
    this.resize(Math.min(this.capacity * 2, Math.max(this.maxRuns + 1, this.capacity + 1)));
  }

  private resize(capacity: number): void {
    const next = allocate(capacity);
    for (const k of Object.keys(next) as (keyof Cols)[]) (next[k] as Float64Array).set((this.c[k] as Float64Array).subarray(this.first, this.end));
    this.c = next;
    this.end -= this.first;
    this.first = 0;
    this.capacity = capacity;
  }

  /** Moves the live runs to the start of the arrays. */
  private shift(): void {
    for (const k of Object.keys(this.c) as (keyof Cols)[]) (this.c[k] as Float64Array).copyWithin(0, this.first, this.end);
    this.end -= this.first;
    this.first = 0;
  }
}

function bits<K>(kinds: readonly K[], all: readonly K[]): number {
  let b = 0;
  for (const k of kinds) {
    const i = all.indexOf(k);
    if (i >= 0) b |= 1 << i;
  }
  return b;
}

/**
 * A run as handed out: plain data fields, and `stderrTail` read from disk on first use. JSON
 * (toJSON) includes the tail; an object spread copies own fields only, so code that copies runs
 * takes `stderrTail` explicitly.
 */
class StoredRun implements HistoryRun {
  // Private (#) fields: not own enumerable properties, so a spread or Object.keys sees only the run.
  #tail: string[] | null = null;
  readonly #readTail: (seq: number) => string[];
  constructor(
    readonly seq: number,
    readonly jobId: number,
    readonly run: number,
    readonly name: string,
    readonly signature: string,
    readonly command: string,
    readonly cwd: string,
    readonly tags: string[],
    readonly group: string,
    readonly kind: HistoryRun['kind'],
    readonly startedAt: number,
    readonly endedAt: number,
    readonly durationMs: number,
    readonly state: HistoryRun['state'],
    readonly outcome: HistoryRun['outcome'],
    readonly outcomeDetail: string | null,
    readonly exitCode: number | null,
    readonly signal: string | null,
    readonly restarts: number,
    readonly cpuPeak: number | null,
    readonly cpuAvg: number | null,
    readonly rssPeak: number | null,
    readonly rssAvg: number | null,
    readonly flags: HistoryRun['flags'],
    readonly violations: HistoryRun['violations'],
    readonly readyAfterMs: number | null,
    readonly errors: HistoryRun['errors'],
    readTail: (seq: number) => string[],
  ) {
    this.#readTail = readTail;
  }

  get stderrTail(): string[] {
    return (this.#tail ??= this.#readTail(this.seq));
  }

  toJSON(): HistoryRun {
    return { ...this, stderrTail: this.stderrTail };
  }
}
