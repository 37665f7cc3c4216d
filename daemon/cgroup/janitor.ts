// Removes the cgroups of ended jobs once they are empty. A job's cgroup may outlive its main
// process while leftovers run in it (rmdir says EBUSY then), so ended jobs are retried each
// sweep until their cgroup is gone; only this instance's root is ever read. A cgroup no live job
// holds is never handed to a new job (names are unique per launch), so removing it is only tidying.

import { readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { isTerminal, type Job } from '../../shared/job.js';
import { cgroupNameOf, JOB_CGROUP_NAME } from './job-cgroup.js';

/** The cgroup names live jobs hold (a launching job's included: its name is recorded first). */
export function liveCgroupNames(jobs: Iterable<Job>): Set<string> {
  const names = new Set<string>();
  for (const job of jobs) {
    const name = isTerminal(job.state) ? null : cgroupNameOf(job);
    if (name !== null) names.add(name);
  }
  return names;
}

/** Which job cgroups may go: every job cgroup no live job holds (pure). */
export function removable(names: readonly string[], live: ReadonlySet<string>): string[] {
  return names.filter((name) => JOB_CGROUP_NAME.test(name) && !live.has(name));
}

export class CgroupJanitor {
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Immediate | null = null;

  constructor(
    private readonly root: string,
    private readonly jobs: () => Iterable<Job>,
  ) {}

  /** One pass; returns the cgroups removed. A populated one stays for the next pass. */
  sweep(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const name of removable(names, liveCgroupNames(this.jobs()))) {
      try {
        rmdirSync(join(this.root, name));
        removed.push(name);
      } catch {
        // EBUSY: leftovers still run in it
      }
    }
    return removed;
  }

  /**
   * One pass after the current burst of work: a kill of 100 jobs ends them in one tick, and a pass
   * per job read the directory and every job 100 times over.
   */
  sweepSoon(): void {
    this.soon ??= setImmediate(() => {
      this.soon = null;
      this.sweep();
    });
  }

  start(everyMs: number): void {
    this.timer = setInterval(() => this.sweep(), everyMs);
    this.timer.unref();
  }

  /** Stops sweeping; removes what is empty, and the instance root when nothing is left in it. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.soon) clearImmediate(this.soon);
    this.soon = null;
    this.sweep();
    try {
      rmdirSync(this.root);
    } catch {
      // jobs kept running (keep-jobs) still have their cgroups
    }
  }
}
