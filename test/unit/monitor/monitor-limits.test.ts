// The monitor's acting layer for limits, on a real process: a job over a limit is recorded once
// (violations + a `limit` event) however many ticks it stays over, and with --on-limit kill the
// stop is asked for once; with warn it never is.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job, JobId } from '../../../shared/job.js';
import type { JobLimits, LimitViolation } from '../../../shared/limits.js';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { Monitor } from '../../../daemon/monitor/monitor.js';
import { DEFAULT_THRESHOLDS } from '../../../daemon/monitor/thresholds.js';
import { makeJob, runningState } from '../../helpers/job-factory.js';
import { waitFor } from '../../helpers/wait-for.js';
import { memoryStore as store, silentLogger as logger } from '../../helpers/stand-ins.js';

const quiet = () => undefined;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A running `sleep` job with these limits (sleep holds 3 descriptors: stdin, stdout, stderr). */
async function setup(limits: JobLimits) {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  children.push(child);
  const pid = child.pid!;
  await waitFor(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep', { what: 'sleep to start' });
  const startTicks = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
  const job: Job = makeJob({ id: 1, spec: { command: { kind: 'argv', argv: ['sleep', '1000'] }, limits }, state: runningState({ startedAt: Date.now(), pid, startTicks, shimPid: 999_999 }) });
  const table = new JobTable(store, { jobs: new Map<JobId, Job>([[1, job]]), nextId: 2 });
  const stops: LimitViolation[] = [];
  const monitor = new Monitor(table, logger, {
    intervalMs: 1_000_000, instance: 'limits-unit', thresholds: DEFAULT_THRESHOLDS, autoCleanupDelayMs: null, leftoverCheckDelayMs: 1_000_000, graceMs: 100,
    refreshOutput: async () => undefined, onAdoptedGone: quiet, onLimitKill: (_id, v) => stops.push(v),
  });
  const announced: LimitViolation[] = [];
  monitor.on('limit', (e) => announced.push(e.violation));
  return { table, monitor, stops, announced };
}

describe('Monitor limits', () => {
  it('kill: three ticks over --max-fds 1 are one violation, one event and one stop', async () => {
    const { table, monitor, stops, announced } = await setup({ maxMemoryBytes: null, maxCpuPercent: null, maxFds: 1, maxProcs: null, onLimit: 'kill' });
    for (let i = 0; i < 3; i++) await monitor.tick();
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatchObject({ limit: 'fds', max: 1, action: 'kill' });
    expect(stops[0]!.value).toBeGreaterThan(1);
    expect(announced).toEqual(stops);
    expect(table.get(1)!.violations).toEqual(stops);
  });

  it('warn: recorded and announced, never stopped; a job under its limits records nothing', async () => {
    const { table, monitor, stops, announced } = await setup({ maxMemoryBytes: null, maxCpuPercent: null, maxFds: 1, maxProcs: 1000, onLimit: 'warn' });
    for (let i = 0; i < 2; i++) await monitor.tick();
    expect(stops).toEqual([]);
    expect(announced).toHaveLength(1);
    expect(table.get(1)!.violations).toMatchObject([{ limit: 'fds', action: 'warn' }]);
    const under = await setup({ maxMemoryBytes: 1 << 30, maxCpuPercent: null, maxFds: 1000, maxProcs: 10, onLimit: 'kill' });
    await under.monitor.tick();
    expect(under.table.get(1)!.violations).toBeUndefined();
    expect(under.stops).toEqual([]);
  });
});
