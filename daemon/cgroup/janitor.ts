// Removes the cgroups of ended jobs once they are empty. A job's cgroup may outlive its main
// process while leftovers run in it (rmdir says EBUSY then), so ended jobs are retried each
// sweep until their cgroup is gone; only this instance's root is ever read.

import { readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { isTerminal, type Job, type JobId } from '../../shared/job.js';

const JOB_DIR = /^job-([1-9][0-9]*)$/;

/** Which job cgroups may go: those of ended or removed jobs (pure). */
export function removable(names: readonly string[], jobOf: (id: JobId) => Job | undefined): string[] {
  return names.filter((name) => {
    const m = JOB_DIR.exec(name);
    if (!m) return false;
    const job = jobOf(Number(m[1]));
    return !job || isTerminal(job.state);
  });
}

export class CgroupJanitor {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly root: string,
    private readonly jobOf: (id: JobId) => Job | undefined,
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
    for (const name of removable(names, this.jobOf)) {
      try {
        rmdirSync(join(this.root, name));
        removed.push(name);
      } catch {
        // EBUSY: leftovers still run in it
      }
    }
    return removed;
  }

  start(everyMs: number): void {
    this.timer = setInterval(() => this.sweep(), everyMs);
    this.timer.unref();
  }

  /** Stops sweeping; removes what is empty, and the instance root when nothing is left in it. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sweep();
    try {
      rmdirSync(this.root);
    } catch {
      // jobs kept running (keep-jobs) still have their cgroups
    }
  }
}
