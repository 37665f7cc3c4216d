// planSignals(): from one table read, which groups get killpg and which pids get their own kill,
// so that every target is reached exactly once and nothing else is.

import { describe, expect, it } from 'vitest';
import type { ProcessTable, ProcInfo } from '../../../daemon/proc/process-table.js';
import { planSignals } from '../../../daemon/proc/signal-plan.js';

function p(pid: number, ppid: number, pgid: number, sid: number, state = 'S'): ProcInfo {
  return { pid, ppid, pgid, sid, state, comm: `p${pid}`, startTicks: pid, utimeTicks: 0, stimeTicks: 0, childTicks: 0, threads: 1, rssBytes: 4096, uid: null };
}
const table = (...procs: ProcInfo[]): ProcessTable => new Map(procs.map((x) => [x.pid, x]));

/** How many times each pid of the table receives the signal under `plan`. */
function deliveries(t: ProcessTable, plan: ReturnType<typeof planSignals>): Map<number, number> {
  const got = new Map<number, number>();
  for (const x of t.values()) {
    if (x.state === 'Z') continue;
    const n = (plan.groups.includes(x.pgid) ? 1 : 0) + (plan.pids.includes(x.pid) ? 1 : 0);
    if (n) got.set(x.pid, n);
  }
  return got;
}

// init, the daemon, a shim, the job (leader 100 with a child, a grandchild in its own group), a
// setsid'd marked escapee (200) with a child, and an unrelated shell.
const machine = [
  p(1, 0, 1, 1),
  p(90, 1, 90, 90),
  p(99, 90, 99, 99),
  p(100, 99, 100, 100),
  p(101, 100, 100, 100),
  p(102, 101, 102, 100),
  p(200, 1, 200, 200),
  p(201, 200, 200, 200),
  p(50, 1, 50, 50),
  p(51, 50, 50, 50),
];

describe('planSignals', () => {
  it('signals each whole group once and nothing twice', () => {
    const t = table(...machine);
    const plan = planSignals(t, [100, 101, 102, 200, 201]);
    expect(plan).toEqual({ groups: [100, 102, 200], pids: [], reached: [100, 101, 102, 200, 201] });
    expect([...deliveries(t, plan)].sort((a, b) => a[0] - b[0])).toEqual([[100, 1], [101, 1], [102, 1], [200, 1], [201, 1]]);
  });

  it('a group shared with a process that is not a target is never signalled as a group', () => {
    // adopted 51 lives in shell 50's group: only 51 itself may get the signal
    const t = table(...machine, p(52, 51, 50, 50));
    const plan = planSignals(t, [51, 52]);
    expect(plan.groups).toEqual([]);
    expect(plan.pids).toEqual([51, 52]);
    expect(deliveries(t, plan).has(50)).toBe(false);
  });

  it('the daemon or a shim in the job group turns the group into single signals', () => {
    const t = table(...machine.filter((x) => x.pid !== 99), p(99, 90, 100, 100));
    const plan = planSignals(t, [100, 101, 102]);
    expect(plan.groups).toEqual([102]);
    expect(plan.pids).toEqual([100, 101]);
    expect(deliveries(t, plan).get(99)).toBeUndefined();
  });

  it('zombies are neither signalled, counted, nor in the way of their group', () => {
    const t = table(...machine, p(103, 100, 100, 100, 'Z'), p(55, 50, 50, 50, 'Z'));
    const plan = planSignals(t, [100, 101, 103]);
    expect(plan.groups).toEqual([100]);
    expect(plan.reached).toEqual([100, 101]);
    // a zombie that is not a target does not keep a group of targets from being signalled whole
    expect(planSignals(t, [50, 51]).groups).toEqual([50]);
  });

  it('targets missing from the table are signalled on their own; no group 0 or 1, no bad pids', () => {
    const t = table(...machine, p(7, 1, 0, 0), p(8, 1, 1, 1));
    const plan = planSignals(t, [4242, 7, 8, 0, -5, 1.5]);
    expect(plan.groups).toEqual([]);
    expect(plan.pids).toEqual([7, 8, 4242]);
  });

  it('covers every target exactly once, whatever the mix (exhaustive over small tables)', () => {
    // every subset of the job's and escapee's processes, plus strangers: each target once, no stranger
    const ids = [100, 101, 102, 200, 201];
    const t = table(...machine);
    for (let mask = 1; mask < 1 << ids.length; mask++) {
      const targets = ids.filter((_, i) => mask & (1 << i));
      const got = deliveries(t, planSignals(t, targets));
      expect([...got.keys()].sort((a, b) => a - b)).toEqual(targets);
      expect([...got.values()].every((n) => n === 1)).toBe(true);
    }
  });
});
