// The job model both sides agree on. A job is what the user asked for (its spec) plus the state
// of its run. The state is a union whose variants carry only their own data, so impossible
// combinations (an exit code on a running job, a signal death with exit code 0) cannot be written.

import type { ListeningPort } from './ports.js';
import { etaOf, type Eta } from './eta.js';
import { healthOf, type Health } from './health.js';
import type { Baseline } from './history.js';
import type { JobLimits, LimitKind, LimitViolation } from './limits.js';
import type { JobOwner } from './owner.js';
import type { OutcomeKind } from './outcomes.js';
import type { JobProbes, ProbeStatus } from './probes.js';
import type { JobProgress } from './progress.js';
import type { Declared, Dependency, QueueStanding } from './queue.js';
import type { RestartSpec, RunsInfo } from './restart.js';

export type JobId = number;

export type Command =
  | { kind: 'argv'; argv: string[] }
  | { kind: 'shell'; script: string; shell: string }
  /**
   * A process procd did not start (`procd adopt`): its command line as read from the system, and
   * whether it led its own process group when adopted (then the group is part of the job, as for
   * a job procd started; absent in older records: no).
   */
  | { kind: 'adopted'; argv: string[]; leadsGroup?: boolean };

/**
 * A service is meant to stay up (servers, watchers): a quiet one is healthy, so the stuck and
 * time-sink flags are off unless asked for. A task runs to an end (builds, tests, scripts).
 * `track --service` makes one; restart policies `always | unless-stopped` will imply it
 * (daemon/jobs/job-spec.ts, jobKindOf).
 */
export type JobKind = 'service' | 'task';
export const JOB_KINDS: readonly JobKind[] = ['service', 'task'];

export interface JobSpec {
  command: Command;
  /** Service or task (absent in older records: task). */
  kind: JobKind;
  cwd: string;
  env: Record<string, string>;
  /** Kill the job (state timed_out) when it runs longer than this. */
  timeoutMs: number | null;
  /** How long the user expects it to take; a longer run is a time sink. */
  expectMs: number | null;
  /** Flag the job as stuck after this long without output; 0 disables. */
  stuckAfterMs: number;
  /** Disk cap per output stream; the oldest bytes are dropped in whole segments beyond it. */
  maxOutputBytes: number;
  /** The first signal of every stop procd makes (kill, replace, timeout, daemon stop); canonical name (absent in older records: SIGTERM). */
  stopSignal: string;
  /** How long a stop waits before SIGKILL; null: the daemon's default grace (absent in older records: null). */
  stopGraceMs: number | null;
  /** Resource limits (shared/limits.ts); absent: none (and in records written before limits existed). */
  limits?: JobLimits;
  /** Its restart policy (shared/restart.ts); absent: `no` (and in records written before policies existed). */
  restart?: RestartSpec;
  /** Readiness and liveness probes (shared/probes.ts); absent: none. */
  probes?: JobProbes;
  /** Its queue group (shared/queue.ts); absent: `default`. */
  group?: string;
  /** Higher starts first among queued jobs (low -10, normal 0, high 10, critical 20); absent: 0. */
  priority?: number;
  /** Jobs it waits for (`--after`); absent: none. */
  after?: Dependency[];
  /** Where it was declared (`procd up`); absent: `track`. */
  declared?: Declared;
}

export interface SignalInfo {
  name: string;
  number: number;
}

export interface ExitInfo {
  /** The exit code the shell would report: the real code, or 128+N for a death by signal N. Null when unknowable. */
  exitCode: number | null;
  /** Set when the process died from a signal; never together with a clean exit. */
  signal: SignalInfo | null;
}

/** What a stop request did: who asked, which pids got the first signal, and which needed SIGKILL. */
export interface KillRecord {
  /** `liveness`: its liveness probe failed (it then restarts under its policy). */
  reason: 'user' | 'timeout' | 'shutdown' | 'cleanup' | 'limit' | 'liveness';
  /** With reason `limit`: which limit was exceeded. */
  limit?: LimitKind;
  requestedAt: number;
  signal: string;
  graceMs: number;
  signalled: number[];
  forced: number[];
}

export interface SpawnError {
  /** errno name such as ENOENT, EACCES, ENOTDIR. */
  code: string;
  message: string;
  /** What failed: changing to the job's cwd, or executing its command (absent in older records: exec). */
  step?: 'chdir' | 'exec';
}

export interface RunningProcess {
  /** pid of the job's main process (also its process group and session id, unless adopted). */
  pid: number;
  /** Process start time in clock ticks since boot (Linux) — with pid, the identity of the process. */
  startTicks: number | null;
  /** pid of the procd-shim that owns the job's output and records its exit status; null when adopted. */
  shimPid: number | null;
}

/**
 * Why a queued job is not running yet: a start time asked for, or a restart (by its policy, after
 * `delayMs` of backoff; by `procd restart`; after a reboot). Later issues add slots and dependencies.
 */
export type QueueReason =
  | { kind: 'not_before'; at: number; detail: string }
  | { kind: 'restart'; at: number; detail: string; delayMs: number; run: number }
  /** In the queue (issue 13): it starts when its dependencies are met and its group has a slot; `standing` says where it is. */
  | { kind: 'queue'; detail: string };

interface Ended extends ExitInfo {
  startedAt: number;
  endedAt: number;
  durationMs: number;
  /** The main process it ran as (null when it never started): leftovers are found from it. */
  pid: number | null;
  startTicks: number | null;
  /** How it ended, from the closed table in outcomes.ts (`limit: memory`, …: the detail). */
  outcome: OutcomeKind;
  outcomeDetail: string | null;
}

/** How a job was paused: its cgroup frozen (cgroup.freeze), or SIGSTOP to each of its processes (resume: SIGCONT). */
export type PauseMethod = 'freezer' | 'signals';

/**
 * Paused time kept out of the clocks that measure a run (--timeout, the stuck and time-sink flags).
 * Both fields are absent until the first resume (older records: never paused).
 */
export interface PauseClock {
  /** Time spent paused in this run before the last resume (the current pause is not included). */
  pausedMs?: number;
  /** Where the stuck flag's silence begins when it began before a pause: shifted later by the time paused. */
  quietSince?: number;
}

/**
 * The lifecycle: `queued` (waiting, with the reason) → `starting` (the shim is launching it) →
 * `running` ⇄ `paused` → one of the terminal states. Each variant carries only its own data.
 */
export type JobState =
  | { kind: 'queued'; queuedAt: number; reason: QueueReason }
  | { kind: 'starting'; since: number }
  | ({ kind: 'running'; startedAt: number } & RunningProcess & PauseClock)
  | ({ kind: 'paused'; startedAt: number; pausedAt: number; pausedBy?: PauseMethod } & RunningProcess & PauseClock)
  | ({ kind: 'completed' } & Ended)
  | ({ kind: 'failed'; spawnError: SpawnError | null } & Ended)
  | ({ kind: 'killed'; kill: KillRecord | null; forced: boolean } & Ended)
  | ({ kind: 'timed_out'; kill: KillRecord; forced: boolean } & Ended)
  | ({ kind: 'lost'; reason: string } & Ended);

export type JobStateKind = JobState['kind'];
export type TerminalState = Extract<JobState, { outcome: OutcomeKind }>;
export type LiveProcessState = Extract<JobState, { kind: 'running' | 'paused' }>;

/** Every state kind, in lifecycle order; `satisfies` keeps it complete when a kind is added. */
const KIND_TABLE = {
  queued: 'live',
  starting: 'live',
  running: 'live',
  paused: 'live',
  completed: 'terminal',
  failed: 'terminal',
  killed: 'terminal',
  timed_out: 'terminal',
  lost: 'terminal',
} as const satisfies Record<JobStateKind, 'live' | 'terminal'>;

export const JOB_STATE_KINDS = Object.keys(KIND_TABLE) as JobStateKind[];
export const TERMINAL_STATES = JOB_STATE_KINDS.filter((k) => KIND_TABLE[k] === 'terminal');

// Named predicates: code asks what it means ("has it ended?", "is there a process?") instead of
// comparing kinds, so a new state is handled in one place.

/** Ended for good: completed, failed, killed, timed_out or lost. */
export function isTerminal(state: JobState): state is TerminalState {
  return KIND_TABLE[state.kind] === 'terminal';
}
/** Not ended yet: queued, starting, running or paused (a live name is unique from issue 6 on). */
export function isLive(state: JobState): boolean {
  return !isTerminal(state);
}
/** The job's main process exists (running or paused): it can be signalled, sampled and stopped. */
export function hasLiveProcess(state: JobState): state is LiveProcessState {
  return state.kind === 'running' || state.kind === 'paused';
}
/** Ended by procd's own stop (kill, timeout, shutdown, cleanup): carries the kill record. */
export function wasStopped(state: JobState): state is Extract<JobState, { kind: 'killed' | 'timed_out' }> {
  return state.kind === 'killed' || state.kind === 'timed_out';
}
/** An adopted process procd let go of (`procd release`): it was not signalled and is no longer part of the job. */
export function wasReleased(state: JobState): boolean {
  return state.kind === 'lost' && state.outcome === 'released';
}
/** Ended because the command could not be started at all. */
export function isSpawnFailure(state: JobState): state is Extract<JobState, { kind: 'failed' }> & { spawnError: SpawnError } {
  return state.kind === 'failed' && state.spawnError !== null;
}
/** Counts per state kind, every kind present. */
export function emptyStateCounts(): Record<JobStateKind, number> {
  return Object.fromEntries(JOB_STATE_KINDS.map((k) => [k, 0])) as Record<JobStateKind, number>;
}

/** `unhealthy`: its liveness probe fails and its restart policy is `no`, so procd only says so. */
export type FlagKind = 'stuck' | 'time_sink' | 'bottleneck' | 'zombie' | 'leftovers' | 'unhealthy';
export const FLAG_KINDS: readonly FlagKind[] = ['stuck', 'time_sink', 'bottleneck', 'zombie', 'leftovers', 'unhealthy'];

/** A condition on a job (stuck, bottleneck, ...), raised and cleared over time; not a state. */
export interface JobFlag {
  kind: FlagKind;
  raisedAt: number;
  /** One line for people: what was measured against what threshold. */
  detail: string;
  severity: 'medium' | 'high';
  /** Processes concerned (zombies, leftovers). */
  pids: number[];
  /** The figures that raised it, for programs. */
  data: Record<string, number | string | number[] | null>;
}

/** A flag that has been cleared: kept in a bounded history. */
export interface ClearedFlag extends JobFlag {
  clearedAt: number;
}

/** One monitor reading of a job's whole process tree. */
export interface ResourceSample {
  at: number;
  /** CPU % of one core summed over the tree (null on the first reading of a process). */
  cpuPercent: number | null;
  /**
   * CPU time the tree used in this run up to this reading (ms). From the job's cgroup where it has
   * one (then it includes children that already exited), else summed from /proc. Absent in older records.
   */
  cpuTimeMs?: number;
  rssBytes: number;
  mainRssBytes: number;
  processes: number;
  threads: number;
  /** Open file descriptors over the tree (Linux; null when unreadable). */
  fds: number | null;
  /** Count of processes per state letter (R, S, D, Z, T, ...). */
  states: Record<string, number>;
}

/** Peak and average over the run, plus the last reading. */
export interface ResourceStats {
  samples: number;
  /** Samples with a CPU reading (the first reading of a process has none): cpuAvg is over these. */
  cpuSamples: number;
  cpuPeak: number;
  cpuAvg: number;
  rssPeak: number;
  rssAvg: number;
  processesPeak: number;
  last: ResourceSample | null;
}

export interface OutputInfo {
  /** Bytes of each stream stored in total, including any dropped at the cap since (lost bytes are not counted). */
  stdoutBytes: number;
  stderrBytes: number;
  /** Bytes dropped from the start because of the disk cap. */
  droppedBytes: number;
  /**
   * Bytes the job wrote that were never stored because the disk refused them (full, out of inodes,
   * a file-size limit); the shim's log in the job directory says where the gaps are. Absent in
   * records written before procd counted them.
   */
  lostBytes?: number;
  /** When the job last wrote anything (ms since epoch), null when it never did. */
  lastOutputAt: number | null;
}

export interface Job {
  id: JobId;
  name: string;
  description: string | null;
  tags: string[];
  createdAt: number;
  spec: JobSpec;
  state: JobState;
  /** A stop in progress: set by kill/timeout before the process is gone. */
  pendingKill: KillRecord | null;
  /** Conditions raised now. */
  flags: JobFlag[];
  /** Conditions raised and cleared earlier (newest last, bounded). */
  flagHistory: ClearedFlag[];
  /** Resource figures of the current or last run; null before the first sample. */
  resources: ResourceStats | null;
  output: OutputInfo;
  /** Directory holding the job's output segments and exit status. */
  dir: string;
  /**
   * The job's cgroup for its current or last launch: a directory name unique per launch below the
   * daemon instance's parent cgroup (a reused id never shares an old job's leftovers). Null: none
   * (pgroup containment, adopted). Absent in records written before names were unique: `job-<id>`.
   */
  cgroup?: string | null;
  /** Times a limit was found exceeded (oldest first, bounded); absent: never (or an older record). */
  violations?: LimitViolation[];
  /** Its runs when it has been restarted (shared/restart.ts); absent: it is in its first run. */
  runs?: RunsInfo;
  /** What its probes found in the current run (shared/probes.ts); absent: no probe has answered yet. */
  probes?: ProbeStatus;
  /** While it waits in the queue: what for, and its place in its group (recomputed at each admission; absent otherwise). */
  standing?: QueueStanding;
  /**
   * Which of its dependencies (indices into `spec.after`) have been met: once met, a dependency is
   * not judged again (its job may be removed or run again meanwhile). Absent: none yet.
   */
  afterMet?: number[];
  /** What the job last reported of its progress in this run (shared/progress.ts); absent: nothing yet. */
  progress?: JobProgress;
  /** Who started (or adopted) it (shared/owner.ts); absent in older records and for a client that sent no `hello`. */
  owner?: JobOwner;
  /** The sockets its tree listens on, as the monitor last saw them (shared/ports.ts); absent: none, or not live. */
  ports?: ListeningPort[];
}

/**
 * One line of `ls`: the job without its environment, and with a display form of its command:
 * a command of thousands of arguments (`eslint $(git ls-files)`) is cut to its first
 * COMMAND_DISPLAY_CHARS characters, and `commandShortened` gives the full one's size (`status`
 * has it whole), so a list stays small whatever its jobs run.
 */
export type JobSummary = Omit<Job, 'spec'> & { spec: Omit<JobSpec, 'env'> & { envCount: number; commandShortened?: CommandSize }; health?: Health; eta?: Eta };

/** The size of a command: its items (argv entries; 1 for a shell script) and their characters. */
export interface CommandSize {
  items: number;
  chars: number;
}

export const COMMAND_DISPLAY_CHARS = 4096;

/** With `health`, and an `eta` from the job's own progress (list does not read the history's baselines). */
export function summarize(job: Job, now = Date.now()): JobSummary {
  const { env, command, ...rest } = job.spec;
  const display = displayCommand(command);
  const health = healthOf(job, now);
  const eta = etaOf(job, now, null);
  return { ...job, spec: { ...rest, command: display.command, envCount: Object.keys(env).length, ...(display.shortened ? { commandShortened: display.shortened } : {}) }, ...(health ? { health } : {}), ...(eta ? { eta } : {}) };
}

/** The command cut to `budget` characters (whole leading arguments, the last one cut with "…"), and the full size when cut. */
export function displayCommand(command: Command, budget = COMMAND_DISPLAY_CHARS): { command: Command; shortened: CommandSize | null } {
  const items = command.kind === 'shell' ? [command.script] : command.argv;
  const chars = items.reduce((n, item) => n + item.length, 0);
  if (chars <= budget) return { command, shortened: null };
  const kept: string[] = [];
  let left = budget;
  for (const item of items) {
    if (left <= 0) break;
    kept.push(item.length <= left ? item : `${item.slice(0, left)}…`);
    left -= item.length;
  }
  const shortened = { items: items.length, chars };
  if (command.kind === 'shell') return { command: { ...command, script: kept[0] ?? '' }, shortened };
  return { command: { ...command, argv: kept }, shortened };
}

/**
 * A job as the daemon answers it (track, status, wait, adopt): the environment's size, and its
 * values only when the caller asks (`env: true`), so no token reaches a log or a terminal by default.
 */
export type JobView = Omit<Job, 'spec'> & { spec: Omit<JobSpec, 'env'> & { envCount: number; env?: Record<string, string> }; health?: Health; eta?: Eta };

/** The job as answered; `health` (shared/health.ts) while it has a live process, and `eta` (shared/eta.ts) when one can be estimated. */
export function viewOf(job: Job, withEnv = false, now = Date.now(), baseline: Baseline | null = null): JobView {
  const { env, ...rest } = job.spec;
  const health = healthOf(job, now);
  const eta = etaOf(job, now, baseline);
  return { ...job, spec: { ...rest, envCount: Object.keys(env).length, ...(withEnv ? { env } : {}) }, ...(health ? { health } : {}), ...(eta ? { eta } : {}) };
}

export function commandText(command: Command): string {
  if (command.kind === 'shell') return command.script;
  if (command.kind === 'adopted') return `[adopted] ${command.argv.map(quoteArg).join(' ')}`;
  return command.argv.map(quoteArg).join(' ');
}

const PLAIN_ARG = /^[\w@%+=:,./-]+$/; // made once, not per call: `procd ls` quotes every argument

function quoteArg(arg: string): string {
  return PLAIN_ARG.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
