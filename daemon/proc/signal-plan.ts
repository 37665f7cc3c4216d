// Deciding who gets a signal, from one process-table read, so that each process found receives
// it exactly once: a process group made only of the processes to signal gets one killpg (which
// also reaches what they fork between the read and the signal); every other process gets its
// own kill. Sending both (the group, then each pid) delivered the signal twice, and npm, docker
// compose and pytest take a second SIGINT/SIGTERM as "force quit now".

import { isDeadState, type ProcessTable } from './process-table.js';

export interface SignalPlan {
  /** Process groups to signal with killpg, ascending. */
  groups: number[];
  /** Single processes to signal: the targets outside every group above, ascending. */
  pids: number[];
  /** Live targets the plan reaches, through their group or on their own, ascending. */
  reached: number[];
}

/**
 * The plan for `targets` (pids of processes to signal) in `table`. A group is signalled as a
 * whole only when every live process of the table in it is a target, so no stranger — the
 * daemon, a shim, the shell an adopted process came from — shares the signal. Zombies are dead
 * already: they are neither signalled nor counted, nor do they keep a group from being used.
 * Targets missing from the table (gone, or read elsewhere) are signalled on their own.
 */
export function planSignals(table: ProcessTable, targets: Iterable<number>): SignalPlan {
  const wanted = new Set<number>();
  for (const pid of targets) {
    const p = table.get(pid);
    if (Number.isInteger(pid) && pid > 0 && (!p || !isDeadState(p.state))) wanted.add(pid);
  }
  // For each group that holds a target: does it hold anything else that lives?
  const whole = new Map<number, boolean>();
  for (const pid of wanted) {
    const p = table.get(pid);
    if (p && p.pgid > 1) whole.set(p.pgid, true);
  }
  for (const p of table.values()) {
    if (whole.get(p.pgid) && !wanted.has(p.pid) && !isDeadState(p.state)) whole.set(p.pgid, false);
  }
  const groups = [...whole].filter(([, all]) => all).map(([pgid]) => pgid);
  const inGroup = new Set(groups);
  const pids = [...wanted].filter((pid) => {
    const p = table.get(pid);
    return !p || !inGroup.has(p.pgid);
  });
  const byNumber = (a: number, b: number) => a - b;
  return { groups: groups.sort(byNumber), pids: pids.sort(byNumber), reached: [...wanted].sort(byNumber) };
}
