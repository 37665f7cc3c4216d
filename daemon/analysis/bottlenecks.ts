// Bottlenecks: running jobs over the daemon's CPU or memory thresholds (daemon/monitor/thresholds.ts),
// with their figures and what they hold up:
// - queued jobs waiting for what it holds: a slot of its own group (waitsFor `slot`), or resource
//   admission (waitsFor `resources`, whatever its group);
// - running jobs whose CPU share fell while it ran (BOTTLENECK_SLOWED below).

import type { Bottleneck, SlowedJob, WaitingJob } from '../../shared/analyze.js';
import { commandText, type Job } from '../../shared/job.js';
import { DEFAULT_GROUP } from '../../shared/queue.js';
import { round, type AnalysisInput } from './input.js';

/**
 * A running job's CPU share "fell" when, over at least `minSamples` CPU readings in its run, its
 * average is at least `minAvgPercent` of a core and its latest reading is at most `fallenTo` of that
 * average, and that latest reading was taken while a bottleneck was flagged (at or after the
 * bottleneck's flag was raised; an unflagged bottleneck: its latest sample). It is a symptom, not a
 * proof: the job may have slowed by itself, so the report says "slowed while it ran", never "because".
 */
export const BOTTLENECK_SLOWED = { minSamples: 3, minAvgPercent: 10, fallenTo: 0.5 } as const;

export function bottlenecks(input: AnalysisInput): Bottleneck[] {
  const t = input.thresholds;
  const hogs: Omit<Bottleneck, 'holdsUp'>[] = [];
  const running: Job[] = [];
  const waiting: (WaitingJob & { since: number })[] = [];
  for (const job of input.jobs) {
    if (job.state.kind === 'queued') {
      const w = job.standing?.waitsFor;
      if (job.state.reason.kind === 'queue' && (w === 'slot' || w === 'resources')) {
        waiting.push({ jobId: job.id, name: job.name, group: job.spec.group ?? DEFAULT_GROUP, waitsFor: w, detail: job.standing?.detail ?? job.state.reason.detail, since: job.state.queuedAt });
      }
      continue;
    }
    if (job.state.kind !== 'running') continue;
    running.push(job);
    const last = job.resources?.last ?? null;
    const flag = job.flags.find((f) => f.kind === 'bottleneck') ?? null;
    if (!last && !flag) continue;
    const cpu = last?.cpuPercent ?? null;
    const rss = last?.rssBytes ?? 0;
    const share = input.totalMemoryBytes > 0 ? rss / input.totalMemoryBytes : 0;
    const over: string[] = [];
    if (cpu !== null && cpu >= t.cpuPercent) over.push('cpu');
    if (share >= t.memoryFraction) over.push('memory');
    if (t.maxCpuPercent > 0 && cpu !== null && cpu >= t.maxCpuPercent) over.push('max-cpu');
    if (t.maxRssBytes > 0 && rss >= t.maxRssBytes) over.push('max-rss');
    if (!over.length && !flag) continue;
    // Flagged but calm in this one sample (the flag's hysteresis holds it): it is over what the flag says.
    if (!over.length && flag) over.push(flag.data.memoryShare !== undefined && Number(flag.data.memoryShare) >= t.memoryFraction ? 'memory' : 'cpu');
    hogs.push({
      jobId: job.id,
      name: job.name,
      run: null,
      command: commandText(job.spec.command),
      cpuPercent: cpu === null ? null : round(cpu, 1),
      rssBytes: rss,
      memoryShare: round(share, 3),
      over,
      flaggedAt: flag?.raisedAt ?? null,
      severity: share >= t.memoryFraction || flag?.severity === 'high' ? 'high' : 'medium',
    });
  }
  return hogs.map((hog) => {
    const hogJob = running.find((j) => j.id === hog.jobId);
    const group = hogJob?.spec.group ?? DEFAULT_GROUP;
    // An adopted process takes no slot (daemon/queue/job-queue.ts occupiesSlot): it holds up only
    // what waits for the machine's resources, never its group's slot waiters.
    const holdsSlot = hogJob?.spec.command.kind !== 'adopted';
    const queued = waiting.filter((w) => w.waitsFor === 'resources' || (holdsSlot && w.group === group)).map(({ since: _since, ...w }) => w);
    const slowedSince = hog.flaggedAt ?? hogJob?.resources?.last?.at ?? input.now;
    const slowed = running.filter((j) => j.id !== hog.jobId).flatMap((j) => slowedJob(j, slowedSince));
    return { ...hog, holdsUp: { queued, slowed } };
  });
}

function slowedJob(job: Job, since: number): SlowedJob[] {
  const r = job.resources;
  const now = r?.last?.cpuPercent;
  if (!r || !r.last || now == null || r.last.at < since) return [];
  const s = BOTTLENECK_SLOWED;
  if (r.cpuSamples < s.minSamples || r.cpuAvg < s.minAvgPercent || now > r.cpuAvg * s.fallenTo) return [];
  return [{ jobId: job.id, name: job.name, cpuAvg: round(r.cpuAvg, 1), cpuNow: round(now, 1) }];
}
