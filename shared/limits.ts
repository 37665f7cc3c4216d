// Per-job resource limits (`track --max-memory/--max-cpu/--max-fds/--max-procs`, `--on-limit`):
// what the user asked for, and what was seen over it. `--max-runtime` is `--timeout` (timeoutMs).
// Types and constants only: the CLI loads this, so no schema library here.

/** Which limit a violation is about; also the `outcomeDetail` of a job ended by it. */
export type LimitKind = 'memory' | 'cpu' | 'fds' | 'procs';
export const LIMIT_KINDS: readonly LimitKind[] = ['memory', 'cpu', 'fds', 'procs'];

/**
 * What procd does when a limit is exceeded: `kill` stops the job (kill procedure; it ends failed,
 * outcome `limit`), `restart` stops it the same way and then starts it again under its restart
 * policy (`on-failure` with the default backoff when it has none), `warn` only records the violation.
 */
export type OnLimit = 'kill' | 'restart' | 'warn';
export const ON_LIMIT_ACTIONS: readonly OnLimit[] = ['kill', 'restart', 'warn'];

/** Whether going over a limit stops the job (kill, restart) rather than only recording it (warn). */
export function limitStops(onLimit: OnLimit): boolean {
  return onLimit !== 'warn';
}

export interface JobLimits {
  /** RSS summed over the whole process tree, bytes. */
  maxMemoryBytes: number | null;
  /** CPU % of one core summed over the tree, averaged over CPU_LIMIT_WINDOW_MS (200 = two cores). */
  maxCpuPercent: number | null;
  /** Open file descriptors summed over the tree. */
  maxFds: number | null;
  /** Live processes in the tree (the main one included). */
  maxProcs: number | null;
  onLimit: OnLimit;
}

/** One time a limit was found exceeded (recorded on the job, announced as a `limit.exceeded` event). */
export interface LimitViolation {
  limit: LimitKind;
  /** The figure seen (bytes, percent, fds, processes) and the limit it went over. */
  value: number;
  max: number;
  at: number;
  /** What procd did about it. */
  action: OnLimit;
}

/**
 * `--max-cpu` is about sustained use, not a spike: the tree's CPU averaged over the samples of the
 * last 10 s, once the samples cover that much, must be above the limit.
 */
export const CPU_LIMIT_WINDOW_MS = 10_000;

/** Violations kept on a job (oldest dropped first); each is also an event. */
export const MAX_VIOLATIONS = 100;

/** Ranges of the limit fields, checked by the daemon's schema and the CLI alike. */
export const LIMIT_RANGES = {
  memoryBytes: { min: 1 << 20, max: 2 ** 50 },
  cpuPercent: { min: 1, max: 100_000 },
  fds: { min: 1, max: 1 << 30 },
  procs: { min: 1, max: 1 << 22 },
} as const;

/** Whether any limit is set. */
export function hasLimits(limits: JobLimits | null | undefined): limits is JobLimits {
  return !!limits && (limits.maxMemoryBytes !== null || limits.maxCpuPercent !== null || limits.maxFds !== null || limits.maxProcs !== null);
}
