// A job's timeline (issue 14): what happened to it, in order — created, started, ready, flags
// raised and cleared, limits exceeded, signals and stops and who asked, pause/resume, restarts, its
// end — kept per job across daemon restarts (`procd status ID --timeline`). Types only, so the CLI
// can format them without a schema library.

export const TIMELINE_KINDS = [
  /** A client's call that acted on the job (track, kill, signal, pause, resume, restart, priority, …), with who made it. */
  'request',
  'started',
  'ready',
  'flag.raised',
  'flag.changed',
  'flag.cleared',
  'limit',
  /** A stop began: by a client's kill, or by procd itself (timeout, limit, liveness, shutdown, cleanup). */
  'stopping',
  'paused',
  'resumed',
  /** The next run is scheduled (its restart policy, `procd restart`). */
  'restart',
  'ended',
  'leftovers',
  /** An alert rule fired about the job. */
  'alert',
  /** The job's tree began listening on new ports (TCP LISTEN or bound UDP), as the monitor saw it. */
  'listening',
  /** A progress milestone the job reported. */
  'progress',
  /** Older entries were dropped here to keep the timeline bounded. */
  'trimmed',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  at: number;
  kind: TimelineKind;
  /** The job's run it happened in (1 for the first). */
  run: number;
  /** One line for people. */
  detail: string;
  /** Who caused it: a client (`procd-cli/0.1.0 pid 123 (kill)`) or `procd` (timeout, limit, liveness, …). */
  by?: string;
}

/** Entries kept per job: the first ones (how it began) and the latest. */
export const TIMELINE_MAX_ENTRIES = 500;
export const TIMELINE_KEEP_FIRST = 50;
