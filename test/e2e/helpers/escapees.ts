// The `setsid env -i` escapee of the cgroup tests — no group, session, parent link or marker, so
// only a job's cgroup can tell it is the job's — and where a test daemon's job cgroups are.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { chooseContainment, probeCgroup, tryRmdir } from '../../../daemon/cgroup/containment.js';
import { waitFor } from '../../helpers/wait-for.js';
import { instanceCgroupOf } from './cgroups.js';
import { pidAlive, type TestDaemon } from './daemon.js';
import { jobStatus, trackJob } from './jobs.js';

/** Whether this machine gives a cgroup per job at all (probed once under a throwaway instance name). */
export function cgroupsAvailable(): boolean {
  const probe = probeCgroup(`probe-${process.pid}-${Math.random().toString(16).slice(2)}`);
  if (probe.ok) tryRmdir(probe.root);
  return chooseContainment({}, () => probe).kind === 'cgroup';
}

/** Forced, so cgroup tests hold also when the suite runs with PROCD_CONTAINMENT=pgroup in the environment. */
export const CGROUP = { PROCD_CONTAINMENT: 'cgroup' };

/** A sleep length no other test uses, to find a test's own escapee by its argv. */
export const uniqueSeconds = () => String(100000 + Math.floor(Math.random() * 800000));

/** Live processes whose argv is exactly `sleep <seconds>` (the escapee has no marker to find it by). */
export function sleepersOf(seconds: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number)) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      if (argv[0] === 'sleep' && argv[1] === seconds && argv.length === 3 && pidAlive(pid)) found.push(pid);
    } catch {
      // vanished
    }
  }
  return found;
}

/** Waits for the one escapee `sleep <seconds>`, records it in `escapees` (for the test's cleanup) and checks it has no marker. */
export async function escapeeOf(seconds: string, escapees: number[]): Promise<number> {
  const [escapee] = await waitFor(() => sleepersOf(seconds).length === 1 && sleepersOf(seconds), { what: `the escapee sleep ${seconds}` });
  escapees.push(escapee!);
  expect(readFileSync(`/proc/${escapee}/environ`, 'latin1')).toBe('');
  return escapee!;
}

/** A running job whose child leaves an escapee `sleep <seconds>` (setsid, empty environment, parent gone). */
export async function jobWithEscapee(daemon: TestDaemon, seconds: string, escapees: number[]): Promise<{ id: number; escapee: number }> {
  const script = `sh -c 'setsid env -i sleep ${seconds} >/dev/null 2>&1 &'; exec sleep 1000`;
  const job = await trackJob(daemon, ['--', 'sh', '-c', script]);
  return { id: job.id, escapee: await escapeeOf(seconds, escapees) };
}

/** The directory of a job's cgroup, by the name its record keeps. */
export async function jobCgroupDir(daemon: TestDaemon, id: number): Promise<string> {
  const { cgroup } = await jobStatus(daemon, id);
  if (typeof cgroup !== 'string') throw new Error(`job ${id} has no cgroup recorded (${String(cgroup)})`);
  return join(instanceCgroupOf(daemon.home)!, cgroup);
}

/** SIGKILLs the recorded escapees (a test's afterEach). */
export function killEscapees(escapees: number[]): void {
  for (const pid of escapees.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
