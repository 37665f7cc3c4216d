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
}

export function treeReading(members: TreeMember[], atMs: number, uptimeTicks: number | null): TreeReading {
  return { atMs, uptimeTicks, members: new Map(members.map((m) => [m.key, { totalTicks: m.totalTicks, ownTicks: m.ownTicks }])) };
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
