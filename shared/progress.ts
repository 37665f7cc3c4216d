// Progress a job reports from inside (issue 14): `procd progress DONE [--total N] [--phase TEXT]`
// or a marker line on its stdout (daemon/progress/marker.ts). DONE alone is a percentage
// (`procd progress 67` = 67%); with a total it counts items (`67 --total 200` = 67 of 200 = 33.5%).
// The job keeps the latest report of its current run; the stuck flag and the ETA (shared/eta.ts)
// read it. Types and pure rules only, so the CLI can check a report before sending it.

/** Where a report came from. */
export type ProgressSource = 'cli' | 'marker';

/** One report as given: `done` of `total` (null: done is a percentage); phase undefined keeps the last one, '' clears it. */
export interface ProgressReport {
  done: number;
  total: number | null;
  phase?: string;
}

export interface JobProgress {
  /** 0..100, from done/total. */
  percent: number;
  done: number;
  /** Null: `done` is a percentage. */
  total: number | null;
  phase: string | null;
  source: ProgressSource;
  /** When the last report came (ms since epoch). */
  updatedAt: number;
  /** The run's active time (paused time left out) at the last report. */
  activeMs: number;
  /** The run's active time when it last advanced (a higher percent, or a new phase): the stuck flag's clock. */
  advancedActiveMs: number;
  /** The run's first report: where the rate of the ETA is measured from. */
  first: { percent: number; activeMs: number };
  reports: number;
  /** The last milestone announced (a `job.progress` event): the tenth of the way reached (0..10) and the phase then. */
  milestone: { decile: number; phase: string | null };
}

/** The largest total (or done) accepted: beyond it, doubles stop counting items exactly. */
export const PROGRESS_MAX = 1e15;
/** The longest phase text, in characters. */
export const PHASE_MAX_CHARS = 200;

/** Why a report cannot be taken (null: it can), in words that name the value given. */
export function progressProblem(report: ProgressReport): string | null {
  const { done, total, phase } = report;
  if (!Number.isFinite(done)) return `${done} is not a number`;
  if (done < 0) return `${done} is negative: progress is 0..100 (a percentage) or 0..TOTAL (with --total)`;
  if (total === null) {
    if (done > 100) return `${done}% is more than 100%: give --total N to count items (67 --total 200 = 67 of 200)`;
  } else {
    if (!Number.isFinite(total) || total <= 0) return `total ${total} must be a number above 0`;
    if (total > PROGRESS_MAX) return `total ${total} is too large (at most ${PROGRESS_MAX})`;
    if (done > total) return `${done} is more than the total ${total}`;
  }
  if (phase !== undefined) {
    if ([...phase].length > PHASE_MAX_CHARS) return `the phase is longer than ${PHASE_MAX_CHARS} characters`;
    if (/\p{Cc}/u.test(phase)) return 'the phase contains a control character (a newline, a tab, an escape)';
  }
  return null;
}

export function percentOf(done: number, total: number | null): number {
  const p = total === null ? done : (done / total) * 100;
  return Math.min(100, Math.max(0, p));
}

/** Which tenth of the way a percentage has reached (0..10). */
export const decileOf = (percent: number): number => Math.min(10, Math.floor(percent / 10));

/**
 * The job's progress after a report (already checked with progressProblem) at `at`, when the run
 * has been active `activeMs`; `milestone` says whether to announce it: the first report, each
 * tenth of the way reached (10%, 20%, …), and each new phase — not every report.
 */
export function applyReport(prev: JobProgress | undefined, report: ProgressReport, source: ProgressSource, at: number, activeMs: number): { progress: JobProgress; milestone: boolean } {
  const percent = percentOf(report.done, report.total);
  const phase = report.phase === undefined ? (prev?.phase ?? null) : report.phase === '' ? null : report.phase;
  const advanced = !prev || percent > prev.percent || phase !== prev.phase;
  const decile = decileOf(percent);
  const milestone = !prev || phase !== prev.milestone.phase || decile > prev.milestone.decile;
  return {
    progress: {
      percent,
      done: report.done,
      total: report.total,
      phase,
      source,
      updatedAt: at,
      activeMs,
      advancedActiveMs: advanced ? activeMs : prev.advancedActiveMs,
      first: prev?.first ?? { percent, activeMs },
      reports: (prev?.reports ?? 0) + 1,
      milestone: milestone ? { decile, phase } : prev.milestone,
    },
    milestone,
  };
}

/** `67%`, `67/200 (34%)`: what was reported, for people. */
export function progressText(p: Pick<JobProgress, 'percent' | 'done' | 'total'>): string {
  const pct = `${p.percent < 10 && p.percent % 1 !== 0 ? p.percent.toFixed(1) : Math.floor(p.percent)}%`;
  return p.total === null ? pct : `${p.done}/${p.total} (${pct})`;
}

/**
 * A job's progress as a new daemon finds it: only milestones are journaled, so the reports after
 * the last one were lost with the old daemon, and the stall clock would count from that milestone
 * (a false `stuck` at the first tick). The stall clock restarts at the daemon's start instead: a job
 * that truly stopped advancing is flagged one stuckAfter later.
 */
export function progressAfterRestart(progress: JobProgress, activeNowMs: number): JobProgress {
  return activeNowMs > progress.advancedActiveMs ? { ...progress, advancedActiveMs: activeNowMs } : progress;
}
