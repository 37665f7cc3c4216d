// What a finished run leaves in the history: a pure function of the job as it was when its run
// ended, how the run ended, and what the job became (ended, or queued for its next run).

import { commandSignature, type HistoryRun } from '../../shared/history.js';
import { commandText, displayCommand, isTerminal, type FlagKind, type Job, type JobState, type TerminalState } from '../../shared/job.js';
import type { LimitKind } from '../../shared/limits.js';

/** Ends that are not runs: the job never started (stopped while queued, a dependency that failed). */
export function endedWithoutRun(ended: TerminalState): boolean {
  return ended.outcome === 'cancelled' || ended.outcome === 'dependency_failed';
}

/**
 * The record of the run that ended as `ended`; `final` is the job's state after the change (a
 * policy that gave up makes it `failed`/`restarts_exhausted`: that is what the record says then).
 */
export function historyRunOf(job: Job, ended: TerminalState, final: JobState, stderrTail: string[]): Omit<HistoryRun, 'seq' | 'errors'> {
  const end = isTerminal(final) ? final : ended;
  const run = job.runs?.current ?? 1;
  const r = job.resources;
  const sampled = r !== null && r.samples > 0;
  const cpuKnown = sampled && r.cpuSamples > 0;
  return {
    jobId: job.id,
    run,
    name: job.name,
    signature: commandSignature(job.spec.command, job.spec.cwd),
    command: commandText(displayCommand(job.spec.command).command),
    cwd: job.spec.cwd,
    tags: job.tags,
    group: job.spec.group ?? 'default',
    kind: job.spec.kind,
    startedAt: ended.startedAt,
    endedAt: ended.endedAt,
    durationMs: ended.durationMs,
    state: end.kind,
    outcome: end.outcome,
    outcomeDetail: end.outcomeDetail,
    exitCode: end.exitCode,
    signal: end.signal?.name ?? null,
    restarts: job.runs?.restarts ?? 0,
    cpuPeak: cpuKnown ? r.cpuPeak : null,
    cpuAvg: cpuKnown ? r.cpuAvg : null,
    rssPeak: sampled ? r.rssPeak : null,
    rssAvg: sampled ? r.rssAvg : null,
    flags: flagsOfRun(job, ended.startedAt),
    violations: violationsOfRun(job, ended.startedAt),
    readyAfterMs: job.probes?.ready?.tookMs ?? null,
    stderrTail,
  };
}

/** Flags raised during the run: those still up when it ended, and those raised and cleared since it started. */
function flagsOfRun(job: Job, startedAt: number): FlagKind[] {
  const kinds = new Set<FlagKind>(job.flags.filter((f) => f.kind !== 'leftovers' || f.raisedAt >= startedAt).map((f) => f.kind));
  for (const f of job.flagHistory) if (f.raisedAt >= startedAt) kinds.add(f.kind);
  return [...kinds];
}

function violationsOfRun(job: Job, startedAt: number): LimitKind[] {
  return [...new Set((job.violations ?? []).filter((v) => v.at >= startedAt).map((v) => v.limit))];
}
