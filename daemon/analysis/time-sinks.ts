// Time sinks: jobs running (and runs that ran) much longer than expected. Expected is the job's
// --expect (source `given`) or its command's learned median (`learned`); a service counts only
// with --expect, as the monitor's flag does (daemon/monitor/flags.ts).

import type { TimeSink } from '../../shared/analyze.js';
import { commandText, hasLiveProcess, type Job } from '../../shared/job.js';
import { commandSignature } from '../../shared/history.js';
import { activeMs } from '../jobs/pause-clock.js';
import { round, type AnalysisInput } from './input.js';
import { runTable } from './runs.js';

export function timeSinks(input: AnalysisInput): TimeSink[] {
  const { thresholds: t } = input;
  const out: TimeSink[] = [];
  const judge = (elapsedMs: number, expected: { ms: number; source: TimeSink['source'] } | null) => {
    if (!expected || expected.ms <= 0) return null;
    const ratio = elapsedMs / expected.ms;
    if (ratio < t.timeSinkFactor) return null;
    return { elapsedMs, expectedMs: expected.ms, ratio: round(ratio), source: expected.source, severity: ratio >= t.timeSinkHighFactor ? ('high' as const) : ('medium' as const) };
  };
  const byId = new Map<number, Job>();
  // One baseline look-up per command, not per run (100,000 runs are a few hundred commands).
  const baselines = new Map<string, ReturnType<AnalysisInput['baseline']>>();
  const baselineOf = (signature: string) => {
    // One map look-up per run: a baseline is an object or null, never undefined.
    let b = baselines.get(signature);
    if (b === undefined) baselines.set(signature, (b = input.baseline(signature)));
    return b;
  };
  for (const job of input.jobs) {
    byId.set(job.id, job);
    if (!hasLiveProcess(job.state)) continue;
    const found = judge(activeMs(job.state, input.now), expectedOf(job, input));
    if (found) out.push({ jobId: job.id, name: job.name, run: null, live: true, command: commandText(job.spec.command), ...found });
  }
  const runs = runTable(input.runs);
  for (let i = 0; i < runs.length; i++) {
    const jobId = runs.jobId(i);
    const job = byId.get(jobId);
    const given = job?.spec.expectMs ?? null;
    const learned = given === null && runs.kind(i) === 'task' ? baselineOf(runs.signature(i)) : null;
    const expected = given !== null ? { ms: given, source: 'given' as const } : learned ? { ms: learned.medianMs, source: 'learned' as const } : null;
    const found = judge(runs.durationMs(i), expected);
    if (found) out.push({ jobId, name: runs.name(i), run: runs.run(i), live: false, command: runs.command(i), ...found });
  }
  // Live first, then the worst.
  return out.sort((a, b) => Number(b.live) - Number(a.live) || b.ratio - a.ratio);
}

function expectedOf(job: Job, input: AnalysisInput): { ms: number; source: TimeSink['source'] } | null {
  if (job.spec.expectMs) return { ms: job.spec.expectMs, source: 'given' };
  if (job.spec.kind === 'service' || job.spec.command.kind === 'adopted') return null;
  const b = input.baseline(commandSignature(job.spec.command, job.spec.cwd));
  return b ? { ms: b.medianMs, source: 'learned' } : null;
}
