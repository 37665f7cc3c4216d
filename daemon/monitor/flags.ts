// Which conditions hold for a running job right now: a pure function of the job, its latest
// sample and a little remembered history, so the rules can be tested without processes.

import { conditionText } from '../../shared/conditions.js';
import { formatBytes, formatDuration } from '../../shared/duration.js';
import type { ClearedFlag, FlagKind, Job, JobFlag, ResourceSample } from '../../shared/job.js';
import type { JobProgress } from '../../shared/progress.js';
import { activeMs, silenceStart } from '../jobs/pause-clock.js';
import type { Thresholds } from './thresholds.js';
import type { Baseline } from '../../shared/history.js';

/** A condition as evaluated now; raisedAt is filled in by diffFlags. */
export type Condition = Omit<JobFlag, 'raisedAt'>;

export interface FlagInputs {
  now: number;
  sample: ResourceSample | null;
  /** Consecutive samples at or above the CPU threshold, including this one. */
  hotSamples: number;
  /** Zombie processes of the job with the time each was first seen in state Z. */
  zombies: { pid: number; ppid: number; since: number }[];
  totalMemoryBytes: number;
  /** Expected duration learned from history when the job gave none (null: unknown). */
  baselineMs: number | null;
  /** The baseline it came from (runs and p90 for the flag's detail); absent: only baselineMs is known. */
  baseline?: Baseline | null;
}

export function evaluateConditions(job: Job, input: FlagInputs, t: Thresholds): Condition[] {
  if (job.state.kind !== 'running') return [];
  const out: Condition[] = [];
  const { now, sample } = input;

  // stuck: no output for stuckAfterMs (never for adopted processes: their output is unknown); time
  // paused is not silence. A service's spec has 0 unless the user asked (job-spec.ts): a quiet
  // server is not stuck, and a service whose readiness probe passed never is.
  const readyService = job.spec.kind === 'service' && !!job.probes?.ready;
  const watchStuck = job.spec.stuckAfterMs > 0 && job.spec.command.kind !== 'adopted' && !readyService;
  if (watchStuck && job.progress) {
    // A job that reports progress is stuck when its progress stops advancing, even while it prints.
    const stall = progressStall(job.progress, activeMs(job.state, now), job.spec.stuckAfterMs);
    if (stall) out.push(stall);
  } else if (watchStuck) {
    const silentMs = now - silenceStart(job.state, job.output.lastOutputAt);
    if (silentMs >= job.spec.stuckAfterMs) {
      out.push(condition('stuck', `no output for ${formatDuration(silentMs)} (stuck after ${formatDuration(job.spec.stuckAfterMs)})`, 'medium', [], {
        silentMs,
        stuckAfterMs: job.spec.stuckAfterMs,
        lastOutputAt: job.output.lastOutputAt,
      }));
    }
  }

  // time sink: running much longer than expected (given, or learned from history). A service is
  // meant to stay up: only an expectation the user gave (`--expect`) applies to it.
  const expected = job.spec.expectMs ?? (job.spec.kind === 'service' ? null : input.baselineMs);
  if (expected && expected > 0) {
    const elapsed = activeMs(job.state, now);
    const ratio = elapsed / expected;
    if (ratio >= t.timeSinkFactor) {
      const severity = ratio >= t.timeSinkHighFactor ? 'high' : 'medium';
      const given = !!job.spec.expectMs;
      const learned = given ? null : input.baseline;
      // A learned expectation says so, with what it was learned from: the median of the last successful runs.
      const from = given ? '' : learned ? ` (learned: median of the last ${learned.runs} successful runs, p90 ${formatDuration(learned.p90Ms)})` : ' (learned from history)';
      out.push(condition('time_sink', `running ${formatDuration(elapsed)}, ${ratio.toFixed(1)}× the ${given ? 'expected' : 'usual'} ${formatDuration(expected)}${from}`, severity, [], {
        elapsedMs: elapsed,
        expectedMs: expected,
        ratio: Number(ratio.toFixed(2)),
        expectedFrom: given ? 'given' : 'learned',
        ...(learned ? { medianMs: learned.medianMs, p90Ms: learned.p90Ms, baselineRuns: learned.runs } : {}),
      }));
    }
  }

  // bottleneck: sustained CPU, a large share of the machine's memory, or an absolute limit.
  if (sample) {
    const cpu = sample.cpuPercent ?? 0;
    const reasons: string[] = [];
    if (input.hotSamples >= t.cpuSamples) reasons.push(`CPU ${cpu.toFixed(0)}% of a core for ${input.hotSamples} samples (≥ ${t.cpuPercent}%)`);
    if (t.maxCpuPercent > 0 && cpu >= t.maxCpuPercent) reasons.push(`CPU ${cpu.toFixed(0)}% over the limit ${t.maxCpuPercent}%`);
    const memShare = input.totalMemoryBytes > 0 ? sample.rssBytes / input.totalMemoryBytes : 0;
    if (memShare >= t.memoryFraction) reasons.push(`memory ${formatBytes(sample.rssBytes)}, ${(memShare * 100).toFixed(0)}% of the machine`);
    if (t.maxRssBytes > 0 && sample.rssBytes >= t.maxRssBytes) reasons.push(`memory ${formatBytes(sample.rssBytes)} over the limit ${formatBytes(t.maxRssBytes)}`);
    if (reasons.length) {
      out.push(condition('bottleneck', reasons.join('; '), memShare >= t.memoryFraction ? 'high' : 'medium', [], {
        cpuPercent: sample.cpuPercent === null ? null : Number(cpu.toFixed(1)),
        rssBytes: sample.rssBytes,
        memoryShare: Number(memShare.toFixed(3)),
      }));
    }
  }

  // zombie: a child nobody reaps for longer than the threshold.
  const old = input.zombies.filter((z) => now - z.since >= t.zombieAfterMs);
  if (old.length) {
    const parents = [...new Set(old.map((z) => z.ppid))];
    out.push(condition('zombie', `${old.length} zombie process(es) ${old.map((z) => z.pid).join(' ')} not reaped by parent ${parents.join(' ')}`, 'medium', old.map((z) => z.pid), {
      parents,
      oldestMs: now - Math.min(...old.map((z) => z.since)),
    }));
  }
  // unhealthy: the liveness probe failed failureThreshold times in a row, and the job has no
  // restart policy (with one it is being stopped and restarted instead): this flag is all procd does.
  const liveness = job.probes?.liveness;
  if (job.probes?.unhealthySince != null && liveness && !job.spec.restart) {
    const failures = liveness.failures;
    out.push(condition('unhealthy', `liveness probe failing${failures ? ` (${failures} in a row)` : ''}: ${liveness.last?.detail ?? 'no answer'}`, 'high', [], {
      since: job.probes.unhealthySince,
      failures,
      probe: job.spec.probes?.alive ? conditionText(job.spec.probes.alive.when) : null,
    }));
  }
  return out;
}

/** The stuck condition of a job that reports progress: no advance (a higher percent, a new phase) for stuckAfterMs of active time. */
export function progressStall(progress: JobProgress, activeNowMs: number, stuckAfterMs: number): Condition | null {
  const stalledMs = activeNowMs - progress.advancedActiveMs;
  if (stalledMs < stuckAfterMs) return null;
  const at = `${Math.floor(progress.percent)}%${progress.phase ? ` (${progress.phase})` : ''}`;
  return condition('stuck', `progress stalled at ${at} for ${formatDuration(stalledMs)} (stuck after ${formatDuration(stuckAfterMs)})`, 'medium', [], {
    stalledMs,
    stuckAfterMs,
    percent: progress.percent,
    phase: progress.phase,
  });
}

function condition(kind: FlagKind, detail: string, severity: 'medium' | 'high', pids: number[], data: JobFlag['data']): Condition {
  return { kind, detail, severity, pids, data };
}

/**
 * Hysteresis for the bottleneck flag: it is raised after `cpuSamples` hot samples in a row, so it
 * is cleared only after as many calm ones — one dip on a busy machine must not clear it and raise
 * it again a moment later. While cooling, the flag is carried on as it was.
 */
export function holdBottleneck(current: JobFlag[], now: Condition[], calmSamples: number, t: Thresholds): Condition[] {
  const raised = current.find((f) => f.kind === 'bottleneck');
  if (!raised || now.some((c) => c.kind === 'bottleneck') || calmSamples >= t.cpuSamples) return now;
  const { raisedAt: _raisedAt, ...held } = raised;
  return [...now, held];
}

export interface FlagDiff {
  flags: JobFlag[];
  raised: JobFlag[];
  cleared: ClearedFlag[];
  /** Flags still raised whose severity changed (a time sink turning high), with the old severity. */
  changed: { flag: JobFlag; from: JobFlag['severity'] }[];
  /** True when anything worth persisting changed (a flag raised/cleared, its severity or its pids). */
  dirty: boolean;
}

/**
 * Merges the conditions of `kinds` evaluated now into the job's current flags: new ones are
 * raised now, gone ones are cleared now, continuing ones keep their raisedAt (and take the new
 * figures). Flags of other kinds are left alone.
 */
export function diffFlags(current: JobFlag[], now: Condition[], kinds: readonly FlagKind[], at: number): FlagDiff {
  const flags: JobFlag[] = current.filter((f) => !kinds.includes(f.kind));
  const raised: JobFlag[] = [];
  const cleared: ClearedFlag[] = [];
  const changed: FlagDiff['changed'] = [];
  let dirty = false;
  for (const c of now) {
    const existing = current.find((f) => f.kind === c.kind);
    if (existing) {
      const flag = { ...c, raisedAt: existing.raisedAt };
      if (existing.severity !== c.severity) changed.push({ flag, from: existing.severity });
      if (existing.severity !== c.severity || existing.pids.join() !== c.pids.join()) dirty = true;
      flags.push(flag);
    } else {
      const flag = { ...c, raisedAt: at };
      flags.push(flag);
      raised.push(flag);
      dirty = true;
    }
  }
  for (const f of current) {
    if (kinds.includes(f.kind) && !now.some((c) => c.kind === f.kind)) {
      cleared.push({ ...f, clearedAt: at });
      dirty = true;
    }
  }
  return { flags, raised, cleared, changed, dirty };
}

export const MAX_FLAG_HISTORY = 50;

/**
 * Zombies a previous daemon had flagged, pid → when first seen: a new daemon starts with no
 * memory of how long they have been zombies, and without this would clear the flag on its first
 * tick and raise it again a threshold later for the same zombie. The flag was raised when the
 * oldest reached the threshold, so each was a zombie at least that long before.
 */
export function carriedZombies(jobs: Iterable<Job>, zombieAfterMs: number): Map<number, number> {
  const since = new Map<number, number>();
  for (const job of jobs) {
    if (job.state.kind !== 'running') continue;
    for (const f of job.flags) if (f.kind === 'zombie') for (const pid of f.pids) since.set(pid, f.raisedAt - zombieAfterMs);
  }
  return since;
}
