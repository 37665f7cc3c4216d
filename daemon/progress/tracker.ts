// Progress of running jobs (issue 14): reports from `procd progress` (handlers/progress.ts) and
// marker lines (marker.ts) read from each running job's stdout as it is written. Stdout is read
// from where the last scan stopped, at most READ_BYTES per scan, never from the start again; a job
// that writes faster than that is skipped ahead (only its latest progress matters). Scans run once
// per monitor tick and before a `status` answer.
//
// A report is kept in memory (like resource samples); a milestone (shared/progress.ts applyReport:
// the first report, each tenth of the way, a new phase) is journaled and announced as `milestone`
// (the `job.progress` event). The marker lines of one scan are applied together: one write and at
// most one event per scan, however many markers a job floods out.

import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { runActiveMs } from '../../shared/eta.js';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { Baseline } from '../../shared/history.js';
import { hasLiveProcess, type Job, type JobId } from '../../shared/job.js';
import { applyReport, progressAfterRestart, type JobProgress, type ProgressReport, type ProgressSource } from '../../shared/progress.js';
import type { JobTable } from '../jobs/job-table.js';
import type { Logger } from '../logger.js';
import { listOut, readStream, streamInfo } from '../output/segments.js';
import { freshMarkerScan, parseMarker, scanMarkers, type MarkerScan } from './marker.js';

/** Bytes of stdout read per job per scan at most. */
export const READ_BYTES = 1 << 20;
/** A job this far ahead of the scan is skipped ahead to its last READ_BYTES. */
export const SKIP_AHEAD_BYTES = 8 * READ_BYTES;
/** A directory mtime this old is trusted to change with the next segment (file times tick every few ms, and clocks step). */
const TRUST_AFTER_MS = 1000;

export interface ProgressTrackerOptions {
  /** This daemon's PROCD_INSTANCE. */
  instance: string;
  /** When this daemon started: a run that began before was re-adopted, and its earlier output is not scanned (its markers' times are unknown). */
  startedAt: number;
  now?: () => number;
}

/** Where the scan of one run's stdout stands. */
interface StdoutWatch {
  dir: string;
  cursor: number;
  scan: MarkerScan;
  /** One scan at a time per job: a tick and a `status` may ask together. */
  reading: Promise<void>;
  /** An invalid marker is logged once per run, not once per line. */
  invalidLogged: boolean;
  /** What the last read saw of the files, so a job that wrote nothing since costs two stat calls, not a read. */
  seen: SeenFiles | null;
}

/** The out/ directory's mtime (a segment created or removed changes it) and the newest stdout segment then. */
interface SeenFiles {
  dirMtimeMs: number;
  /** Listed so soon after the directory changed that another change could share its mtime (file times tick coarsely): not trusted. */
  recent: boolean;
  segment: string;
  /** Global offset of that segment's first byte. */
  segmentStart: number;
}

export class ProgressTracker extends EventEmitter<{ milestone: [Job] }> {
  private readonly watches = new Map<JobId, StdoutWatch>();
  private readonly now: () => number;

  constructor(
    private readonly table: JobTable,
    private readonly logger: Logger,
    private readonly opts: ProgressTrackerOptions,
  ) {
    super();
    this.now = opts.now ?? Date.now;
    table.on('change', ({ job }) => {
      if (!hasLiveProcess(job.state)) this.watches.delete(job.id);
    });
    table.on('removed', (job) => this.watches.delete(job.id));
    // Jobs this daemon found running: their progress since the last milestone died with the old daemon.
    const now = this.now();
    for (const job of [...table.all()]) {
      if (job.progress && hasLiveProcess(job.state)) {
        const restored = progressAfterRestart(job.progress, runActiveMs(job.state, now));
        if (restored !== job.progress) table.updateVolatile(job.id, () => ({ progress: restored }));
      }
    }
  }

  /**
   * What a job's command usually takes (the history store's learned baseline, shared/history.ts),
   * for ETAs; none until the daemon wires its history here (daemon.ts).
   */
  baselineOf: (job: Job) => Baseline | null = () => null;

  get instance(): string {
    return this.opts.instance;
  }

  /** Applies reports (each checked already with progressProblem) to a job with a live process; answers the job after. */
  report(id: JobId, reports: readonly ProgressReport[], source: ProgressSource): Job {
    const job = this.table.get(id);
    if (!job) throw new ProcdError(ErrorCode.JobNotFound, `no job with id ${id}`, { job: id });
    if (!hasLiveProcess(job.state)) {
      throw new ProcdError(ErrorCode.JobNotRunning, `job ${id} (${job.name}) is ${job.state.kind}: only a running job reports progress`, { id, state: job.state.kind });
    }
    if (!reports.length) return job;
    const at = this.now();
    const active = runActiveMs(job.state, at);
    let progress: JobProgress | undefined = job.progress;
    let milestone = false;
    for (const r of reports) {
      const applied = applyReport(progress, r, source, at, active);
      progress = applied.progress;
      milestone ||= applied.milestone;
    }
    if (!milestone) return this.table.updateVolatile(id, () => ({ progress })) ?? job;
    const updated = this.table.update(id, () => ({ progress })) ?? job;
    this.emit('milestone', updated);
    return updated;
  }

  /** Reads what the job's stdout gained since the last scan and applies the markers in it. */
  scan(id: JobId): Promise<void> {
    const job = this.table.get(id);
    if (!job || job.state.kind !== 'running' || job.spec.command.kind === 'adopted') return Promise.resolve();
    let watch = this.watches.get(id);
    if (!watch || watch.dir !== job.dir) {
      watch = { dir: job.dir, cursor: -1, scan: freshMarkerScan(), reading: Promise.resolve(), invalidLogged: false, seen: null };
      this.watches.set(id, watch);
    }
    const w = watch;
    // The common case, a job that wrote nothing since: two stat calls, no read, no promise chained.
    if (w.cursor >= 0 && nothingNew(w)) return w.reading;
    const run = w.reading.then(() => this.scanOnce(id, w));
    w.reading = run.catch((err: unknown) => this.logger.info({ err, job: id }, 'could not read the output for progress markers'));
    return w.reading;
  }

  private async scanOnce(id: JobId, w: StdoutWatch): Promise<void> {
    const job = this.table.get(id);
    if (!job || this.watches.get(id) !== w || job.state.kind !== 'running') return;
    if (w.cursor < 0) await this.place(w, job);
    if (nothingNew(w)) return;
    // Taken before the read: a segment created after this is seen as a change next time.
    const seen = await lookAtFiles(w.dir, w.seen);
    let skipped = 0;
    const known = job.output.stdoutBytes;
    if (known - w.cursor > SKIP_AHEAD_BYTES) {
      skipped = known - READ_BYTES - w.cursor;
      w.cursor += skipped;
    }
    const read = await readStream(w.dir, 'stdout', w.cursor, READ_BYTES);
    if (this.watches.get(id) !== w) return;
    w.cursor = read.next;
    w.seen = seen;
    const reports: ProgressReport[] = [];
    for (const line of scanMarkers(w.scan, read.data, skipped + read.skipped)) {
      const parsed = parseMarker(line);
      if (parsed?.kind === 'report') reports.push(parsed.report);
      else if (parsed && !w.invalidLogged) {
        w.invalidLogged = true;
        this.logger.info({ job: id, line: line.slice(0, 200), reason: parsed.reason }, 'progress marker ignored (further ones in this run are not logged)');
      }
    }
    if (reports.length && this.table.get(id)?.state.kind === 'running') this.report(id, reports, 'marker');
  }

  /** Where a run's scan begins: its first byte, or for a run this daemon re-adopted, the end of what it wrote before. */
  private async place(w: StdoutWatch, job: Job): Promise<void> {
    if (!hasLiveProcess(job.state) || job.state.startedAt >= this.opts.startedAt) {
      w.cursor = 0;
      return;
    }
    const end = (await streamInfo(w.dir, 'stdout')).end;
    const last = end > 0 ? (await readStream(w.dir, 'stdout', end - 1, 1)).data : Buffer.alloc(0);
    w.cursor = end;
    w.scan = freshMarkerScan(end === 0 || last[0] === 0x0a);
  }
}

/** True when stdout has certainly not grown past the cursor since the last read: same segments, the newest one no longer than read. */
function nothingNew(w: StdoutWatch): boolean {
  if (!w.seen || w.seen.recent) return false;
  try {
    const out = join(w.dir, 'out');
    if (statSync(out).mtimeMs !== w.seen.dirMtimeMs) return false;
    return w.seen.segmentStart + statSync(join(out, w.seen.segment)).size <= w.cursor;
  } catch {
    return false; // gone or unreadable: the read says what happened
  }
}

/** The files now; the segment list is read again only when the directory changed since `before`. */
async function lookAtFiles(dir: string, before: SeenFiles | null): Promise<SeenFiles | null> {
  try {
    const dirMtimeMs = statSync(join(dir, 'out')).mtimeMs;
    if (before?.dirMtimeMs === dirMtimeMs && !before.recent) return before;
    const newest = (await listOut(dir)).stdout.at(-1);
    const recent = Date.now() - dirMtimeMs < TRUST_AFTER_MS;
    return newest ? { dirMtimeMs, recent, segment: newest.name, segmentStart: newest.start } : null;
  } catch {
    return null;
  }
}
