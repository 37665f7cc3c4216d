// Jobs for procd top's unit tests: summaries with a CPU/memory reading, built through the one job factory.

import { summarize, type JobSummary, type ResourceStats } from '../../../../shared/job.js';
import { makeJob, runningState, T0, type JobOverrides } from '../../../helpers/job-factory.js';

export const NOW = T0 + 10 * 60_000;

export function usage(cpuPercent: number | null, rssBytes: number): ResourceStats {
  return { samples: 2, cpuSamples: 1, cpuPeak: cpuPercent ?? 0, cpuAvg: cpuPercent ?? 0, rssPeak: rssBytes, rssAvg: rssBytes, processesPeak: 1, last: { at: NOW, cpuPercent, rssBytes, mainRssBytes: rssBytes, processes: 1, threads: 1, fds: 3, states: { S: 1 } } };
}

/** A running job with this CPU % and RSS, started `ageMs` before NOW. */
export function running(id: number, name: string, cpu: number | null, rss: number, ageMs: number, over: JobOverrides = {}): JobSummary {
  return summarize(makeJob({ id, name, state: runningState({ startedAt: NOW - ageMs, pid: 1000 + id }), resources: usage(cpu, rss), spec: { command: { kind: 'argv', argv: [name, '--serve'] } }, ...over }), NOW);
}

export function job(over: JobOverrides): JobSummary {
  return summarize(makeJob(over), NOW);
}
