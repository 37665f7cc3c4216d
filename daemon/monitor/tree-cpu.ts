// CPU used by a job's whole tree between two ticks, including children that lived and died
// between them. A build or a test run spawns thousands of processes that each live a few ms:
// summing the per-process rates of processes seen at two ticks reads 0% for it. Their work is not
// lost, though: when a parent waits for a child, the kernel adds the child's CPU to the parent's
// cutime/cstime. So the tree's usage over an interval is
//
//   Σ live members: (utime+stime+cutime+cstime now − the same at the previous tick)
//   + Σ members born since the previous tick: their whole total
//   − Σ members of the previous tick that are gone: their total then (it moved into the parent's
//     cutime; counting it again would count it twice)
//
// A member reaped by a process outside the tree (an orphan adopted by init) makes the last term
// subtract too much, so the result never goes below the sum of the members' own deltas.

/** One process of the tree as read at a tick. */
export interface TreeMember {
  key: string;
  /** utime + stime + cutime + cstime, in clock ticks. */
  totalTicks: number;
  /** utime + stime, in clock ticks. */
  ownTicks: number;
  /** Start time in clock ticks since boot. */
  startTicks: number;
}

/** What is remembered of a job's tree from one tick to the next. */
export interface TreeReading {
  atMs: number;
  /** Clock ticks since boot at the read (null where unknown: then newborns are not counted). */
  uptimeTicks: number | null;
  members: Map<string, { totalTicks: number; ownTicks: number }>;
  /** The job cgroup's cpu.stat usage_usec at the read; null: no cgroup (or unreadable). */
  cgroupUsageUsec: number | null;
  /** CPU time of the tree in this run up to the read (ms). */
  cpuTimeMs: number;
}

export function treeReading(members: TreeMember[], atMs: number, uptimeTicks: number | null, cpu: Pick<TreeReading, 'cgroupUsageUsec' | 'cpuTimeMs'> = { cgroupUsageUsec: null, cpuTimeMs: 0 }): TreeReading {
  return { atMs, uptimeTicks, members: new Map(members.map((m) => [m.key, { totalTicks: m.totalTicks, ownTicks: m.ownTicks }])), ...cpu };
}

/** The tree's CPU at one tick: the rate since the last tick (% of one core) and the run's total so far. */
export interface TreeCpu {
  cpuPercent: number | null;
  cpuTimeMs: number;
  /** Where the figures come from: the job cgroup's cpu.stat, or the processes seen in /proc. */
  source: 'cgroup' | 'proc';
}

/** What one tick read of the tree's CPU. */
export interface CpuRead {
  atMs: number;
  /** The job cgroup's usage_usec, or null (no cgroup, or cpu.stat unreadable). */
  cgroupUsageUsec: number | null;
  /** Ticks since the last reading by treeTicksSince (null on the first). */
  procTicks: number | null;
  /** The members' totals (utime+stime+cutime+cstime) at this read: the run's CPU so far on the first reading. */
  memberTicks: number;
}

/**
 * Which figure counts. A cgroup's usage_usec is exact: every process that ran in it, also children
 * that exited between ticks and were reaped outside the tree (orphans reaped by init), which /proc
 * can no longer see; it counts from the cgroup's creation, i.e. the job's launch. Without one
 * (pgroup containment, an adopted process, cpu.stat unreadable), /proc: the ticks treeTicksSince
 * found, summed tick by tick for the total.
 */
export function treeCpu(prev: TreeReading | undefined, now: CpuRead, ticksPerSecond: number): TreeCpu {
  const elapsedMs = prev ? now.atMs - prev.atMs : 0;
  const percentOf = (ms: number | null) => (ms !== null && elapsedMs > 0 ? (ms * 100) / elapsedMs : null);
  if (now.cgroupUsageUsec !== null) {
    const before = prev?.cgroupUsageUsec ?? null;
    return { source: 'cgroup', cpuTimeMs: now.cgroupUsageUsec / 1000, cpuPercent: percentOf(before === null ? null : Math.max(0, now.cgroupUsageUsec - before) / 1000) };
  }
  const toMs = (ticks: number) => (ticks * 1000) / ticksPerSecond;
  const sinceMs = now.procTicks === null ? null : toMs(now.procTicks);
  const cpuTimeMs = prev ? prev.cpuTimeMs + (sinceMs ?? 0) : toMs(now.memberTicks);
  return { source: 'proc', cpuTimeMs, cpuPercent: percentOf(sinceMs) };
}

/**
 * Clock ticks the tree used since `prev` (null for the first reading). `exists(key)` tells whether
 * a process missing from the tree now still runs elsewhere (then its ticks did not move to a parent).
 */
export function treeTicksSince(prev: TreeReading | undefined, now: TreeMember[], exists: (key: string) => boolean): number | null {
  if (!prev) return null;
  let total = 0;
  let own = 0;
  const present = new Set<string>();
  for (const m of now) {
    present.add(m.key);
    const before = prev.members.get(m.key);
    if (before) {
      total += Math.max(0, m.totalTicks - before.totalTicks);
      own += Math.max(0, m.ownTicks - before.ownTicks);
    } else if (prev.uptimeTicks !== null && m.startTicks >= prev.uptimeTicks) {
      total += m.totalTicks;
      own += m.ownTicks;
    }
    // else: a process that existed before but joined the tree only now: its past is not this job's
  }
  for (const [key, before] of prev.members) if (!present.has(key) && !exists(key)) total -= before.totalTicks;
  return Math.max(own, total);
}
