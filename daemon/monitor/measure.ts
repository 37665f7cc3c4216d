// One reading of a job's process tree from a snapshot (CPU over the tree since the last
// reading, short-lived children included; memory; counts), and folding readings into a run's
// statistics.

import type { ResourceSample, ResourceStats } from '../../shared/job.js';
import { procKey } from '../proc/cpu-sampler.js';
import { CLOCK_TICKS_PER_SECOND, countOpenFds, HAVE_PROCFS, isDeadState } from '../proc/process-table.js';
import { fdNamesIn } from './fd-names.js';
import type { ProcessSnapshot } from './snapshot.js';
import { treeCpu, treeReading, treeTicksSince, type TreeMember, type TreeReading } from './tree-cpu.js';

/**
 * A sample of the job's tree, and the reading the next sample's CPU is measured from.
 * `cgroupUsageUsec`: the job cgroup's cpu.stat usage_usec read with the snapshot (null: none).
 */
export async function measureTree(previous: TreeReading | undefined, pids: readonly number[], mainPid: number, snapshot: ProcessSnapshot, cgroupUsageUsec: number | null = null): Promise<{ sample: ResourceSample; tree: TreeReading }> {
  const { table, at } = snapshot;
  let rss = 0;
  let threads = 0;
  let fds: number | null = 0;
  const states: Record<string, number> = {};
  let processes = 0;
  const members: TreeMember[] = [];
  // On Linux the fd lists are read once per tick for this and the ports watch (fd-names.ts).
  const fdCount = (pid: number) => (HAVE_PROCFS ? Promise.resolve(fdNamesIn(snapshot, pid)?.length ?? null) : countOpenFds(pid));
  const fdCounts = await Promise.all(pids.map((pid) => (isDeadState(table.get(pid)?.state ?? 'Z') ? Promise.resolve(0) : fdCount(pid))));
  pids.forEach((pid, i) => {
    const p = table.get(pid);
    if (!p) return;
    states[p.state] = (states[p.state] ?? 0) + 1;
    // Zombies count for CPU (their ticks move to the parent when reaped), not as live processes.
    members.push({ key: procKey(p), totalTicks: p.utimeTicks + p.stimeTicks + p.childTicks, ownTicks: p.utimeTicks + p.stimeTicks, startTicks: p.startTicks });
    if (isDeadState(p.state)) return;
    processes++;
    rss += p.rssBytes;
    threads += p.threads;
    const f = fdCounts[i];
    fds = f === null || f === undefined || fds === null ? null : fds + f;
  });
  const ticks = treeTicksSince(previous, members, (key) => {
    const pid = Number(key.slice(0, key.indexOf(':')));
    const p = table.get(pid);
    return p !== undefined && procKey(p) === key;
  });
  const memberTicks = members.reduce((n, m) => n + m.totalTicks, 0);
  const cpu = treeCpu(previous, { atMs: snapshot.readAtMs, cgroupUsageUsec, procTicks: ticks, memberTicks }, CLOCK_TICKS_PER_SECOND);
  const tree = treeReading(members, snapshot.readAtMs, snapshot.uptimeTicks, { cgroupUsageUsec, cpuTimeMs: cpu.cpuTimeMs });
  const cpuPercent = cpu.cpuPercent;
  const main = table.get(mainPid);
  const sample: ResourceSample = {
    at,
    cpuPercent: cpuPercent === null ? null : Number(cpuPercent.toFixed(1)),
    cpuTimeMs: Math.round(cpu.cpuTimeMs),
    rssBytes: rss,
    mainRssBytes: main && !isDeadState(main.state) ? main.rssBytes : 0,
    processes,
    threads,
    fds,
    states,
  };
  return { sample, tree };
}

/** Folds one sample into the run's statistics; CPU is averaged over the samples that have a reading. */
export function accumulate(stats: ResourceStats | null, sample: ResourceSample): ResourceStats {
  const s = stats ?? { samples: 0, cpuSamples: 0, cpuPeak: 0, cpuAvg: 0, rssPeak: 0, rssAvg: 0, processesPeak: 0, last: null };
  const n = s.samples + 1;
  // Records written before cpuSamples existed counted every sample.
  const known = s.cpuSamples ?? s.samples;
  const cpuSamples = sample.cpuPercent === null ? known : known + 1;
  return {
    samples: n,
    cpuSamples,
    cpuPeak: Math.max(s.cpuPeak, sample.cpuPercent ?? 0),
    cpuAvg: sample.cpuPercent === null ? s.cpuAvg : Number((s.cpuAvg + (sample.cpuPercent - s.cpuAvg) / cpuSamples).toFixed(2)),
    rssPeak: Math.max(s.rssPeak, sample.rssBytes),
    rssAvg: Math.round(s.rssAvg + (sample.rssBytes - s.rssAvg) / n),
    processesPeak: Math.max(s.processesPeak, sample.processes),
    last: sample,
  };
}
