// What follows the end of a run, as a pure function over the job and how its run ended: it stays
// ended, it is queued for its next run (its restart policy, daemon/jobs/restart-policy.ts), or the
// policy gives up (failed, outcome restarts_exhausted, the last run's exit code). The job table
// applies the answer in the same change as the end, so a waiter never sees a restarting job end.

import { join } from 'node:path';
import type { Job, JobState, TerminalState } from '../../shared/job.js';
import { MAX_RUN_RECORDS, type RestartHistory, type RunRecord, type RunsInfo } from '../../shared/restart.js';
import { decideRestart, type RunEnd } from './restart-policy.js';

/** The job's state and runs after its run ended; null: it stays as the state machine left it. */
export type RunEndChange = { state: JobState } & Partial<NextRunFields>;

type NextRunFields = Pick<Job, 'dir' | 'output' | 'resources' | 'probes' | 'progress'> & { runs: RunsInfo };

/**
 * The job's fields for its next run, whoever asked for it (its policy, `procd restart`, the next
 * daemon): the ended run joins the run list, and output and resources start over in the new run's
 * own directory (the earlier runs' are in theirs).
 */
export function nextRunFields(job: Job, ended: TerminalState, then: RunRecord['then'], history: RestartHistory): NextRunFields {
  const next = currentRun(job) + 1;
  return {
    runs: { current: next, restarts: (job.runs?.restarts ?? 0) + 1, earlier: [...(job.runs?.earlier ?? []), runRecord(job, ended, then)].slice(-MAX_RUN_RECORDS), history },
    dir: runDir(job, next),
    output: { stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null },
    resources: null,
    probes: undefined,
    // Progress is per run: the next one reports from 0 again.
    progress: undefined,
  };
}

/** Run 1 writes to the job's directory; run N ≥ 2 to `run-N` inside it (so `rm` removes all runs at once). */
export function runDir(job: Pick<Job, 'dir' | 'runs'>, run: number): string {
  const root = (job.runs?.current ?? 1) > 1 ? job.dir.replace(/\/run-\d+$/, '') : job.dir;
  return run === 1 ? root : join(root, `run-${run}`);
}

export function currentRun(job: Pick<Job, 'runs'>): number {
  return job.runs?.current ?? 1;
}

export function afterRunEnd(job: Job, ended: TerminalState, now: number, random: () => number): RunEndChange | null {
  const spec = job.spec.restart;
  if (!spec || spec.policy === 'no') return null;
  // A command that could not start at all on its first run is a mistake to fix (a typo, a missing
  // file), not a crash to ride out: it fails at once and `track` says why.
  if (ended.outcome === 'spawn_error' && currentRun(job) === 1 && !job.runs) return null;
  const history = job.runs?.history ?? { restartTimes: [], quickFailures: 0 };
  const decision = decideRestart(spec, runEndOf(job, ended), history, now, random);
  if (decision.kind === 'stay_down') return null;
  if (decision.kind === 'give_up') {
    const { startedAt, endedAt, durationMs, pid, startTicks, exitCode, signal } = ended;
    const spawnError = ended.kind === 'failed' ? ended.spawnError : null;
    return { state: { kind: 'failed', startedAt, endedAt, durationMs, pid, startTicks, exitCode, signal, outcome: 'restarts_exhausted', outcomeDetail: decision.reason, spawnError } };
  }
  const fields = nextRunFields(job, ended, 'restart', decision.history);
  const seconds = (decision.delayMs / 1000).toFixed(decision.delayMs < 10_000 ? 1 : 0);
  const detail = `run ${currentRun(job)} ${describeEnd(ended)}; restart ${fields.runs.restarts} (${spec.policy}) in ${seconds}s`;
  return { state: { kind: 'queued', queuedAt: now, reason: { kind: 'restart', at: decision.at, detail, delayMs: decision.delayMs, run: fields.runs.current } }, ...fields };
}

/** The record an ended run leaves in the job's run list. */
export function runRecord(job: Job, ended: TerminalState, then: RunRecord['then']): RunRecord {
  return {
    run: currentRun(job),
    state: ended.kind,
    outcome: ended.outcome,
    outcomeDetail: ended.outcomeDetail,
    exitCode: ended.exitCode,
    signal: ended.signal,
    startedAt: ended.startedAt,
    endedAt: ended.endedAt,
    durationMs: ended.durationMs,
    pid: ended.pid,
    dir: job.dir,
    then,
  };
}

/** How the policy sees an end: who stopped it (when procd did) matters as much as the outcome. */
function runEndOf(job: Job, ended: TerminalState): RunEnd {
  const kill = ended.kind === 'killed' || ended.kind === 'timed_out' ? ended.kill : null;
  return {
    outcome: ended.outcome,
    exitCode: ended.exitCode,
    stoppedBy: kill?.reason ?? null,
    restartOnLimit: job.spec.limits?.onLimit === 'restart',
    startedAt: ended.startedAt,
    endedAt: ended.endedAt,
  };
}

function describeEnd(ended: TerminalState): string {
  switch (ended.outcome) {
    case 'exit':
      return `exited ${ended.exitCode}`;
    case 'signal':
      return `was killed by ${ended.signal?.name ?? 'a signal'}`;
    case 'spawn_error':
      return 'could not start';
    case 'timeout':
      return 'timed out';
    case 'limit':
      return ended.outcomeDetail ? `went over its ${ended.outcomeDetail} limit` : 'went over a limit';
    case 'oom':
      return "was killed by the kernel's OOM killer (out of memory)";
    case 'vanished':
      return 'vanished';
    case 'unhealthy':
      return 'failed its liveness probe';
    default:
      return `ended (${ended.outcome})`;
  }
}
