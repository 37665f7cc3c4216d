// Limits against a real daemon, on the sampled path (these machines' cgroup has no memory, pids
// or cpu controller, so the monitor is what enforces them): a memory hog and a tree of 300
// processes are stopped and end failed/limit with nothing left, --on-limit warn only records,
// CPU counts when sustained, and bad values are refused with errors that say what is wrong.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcdEvent } from '../../shared/events.js';
import { hasLiveProcess, type JobView } from '../../shared/job.js';
import { instanceId } from '../../daemon/daemon.js';
import { FIXTURES, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { jobStatus, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const INTERVAL_MS = 300;
const MiB = 1 << 20;
const HOG = join(FIXTURES, 'alloc-then-sleep.mjs');

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

async function start(): Promise<TestDaemon> {
  d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: `${INTERVAL_MS}ms` } });
  return d;
}

/** Every event of this daemon from now on, through the client library. */
async function recordEvents(): Promise<ProcdEvent[]> {
  const events: ProcdEvent[] = [];
  const c = await d!.client();
  c.onEvent((e) => events.push(e));
  await c.subscribe({});
  return events;
}

async function track(args: string[]): Promise<JobView> {
  const job = await trackJob(d!, args, { code: 0 });
  expect(hasLiveProcess(job.state)).toBe(true);
  return job;
}

/** Live (non-zombie) processes carrying this job's markers: what a kill must leave none of. */
function markedLive(home: string, jobId: number): number[] {
  const marks = [`PROCD_INSTANCE=${instanceId(home)}`, `PROCD_JOB_ID=${jobId}`];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (!marks.every((m) => environ.includes(m))) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (!/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3))) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('limits, sampled by the monitor', () => {
  it('--max-memory 50M on a job that allocates 200 MB ends it failed, outcome limit (memory), exit 128+N, with the violation recorded and announced', async () => {
    await start();
    const events = await recordEvents();
    const job = await track(['--max-memory', '50M', '--', process.execPath, HOG, '200']);
    expect(job.spec.limits).toEqual({ maxMemoryBytes: 50 * MiB, maxCpuPercent: null, maxFds: null, maxProcs: null, onLimit: 'kill' });
    const ended = await waitForEnd(d!, job.id, { timeoutMs: 60_000 });
    expect(ended.state).toMatchObject({ kind: 'failed', outcome: 'limit', outcomeDetail: 'memory' });
    if (ended.state.kind !== 'failed') throw new Error('unreachable');
    // SIGTERM (143), or SIGKILL (137) had it ignored the stop signal for the whole grace.
    expect([143, 137]).toContain(ended.state.exitCode);
    expect(ended.state.exitCode).toBe(128 + ended.state.signal!.number);
    expect(ended.violations).toHaveLength(1);
    expect(ended.violations![0]).toMatchObject({ limit: 'memory', max: 50 * MiB, action: 'kill' });
    expect(ended.violations![0]!.value).toBeGreaterThan(50 * MiB);
    const announced = await waitFor(() => events.find((e) => e.kind === 'limit.exceeded'), { what: 'a limit.exceeded event', timeoutMs: 10_000 });
    expect(announced).toMatchObject({ job: { id: job.id }, violation: ended.violations![0] });
    const stopping = events.find((e) => e.kind === 'job.stopping');
    expect(stopping).toMatchObject({ kill: { reason: 'limit', limit: 'memory' } });
    // The CLI says why it ended.
    const shown = await d!.cli(['status', String(job.id)]);
    expect(shown.stdout).toMatch(/outcome\s+limit \(memory\)/);
    expect(shown.stdout).toMatch(/over a limit\s+.*memory [\d.]+MiB over the limit 50\.0MiB: stopping the job/);
    expect(markedLive(d!.home, job.id)).toEqual([]);
  }, 90_000);

  it('--max-procs 50 on a tree that grows to 300 processes and then sleeps stops it with nothing left', async () => {
    await start();
    // Bounded on purpose: 300 sleeps, then the shell waits; never an unbounded fork bomb.
    const job = await track(['--max-procs', '50', '--shell', 'for i in $(seq 300); do sleep 4123 & done; wait']);
    const ended = await waitForEnd(d!, job.id, { timeoutMs: 60_000 });
    expect(ended.state).toMatchObject({ kind: 'failed', outcome: 'limit', outcomeDetail: 'procs' });
    expect(ended.violations![0]).toMatchObject({ limit: 'procs', max: 50, action: 'kill' });
    expect(ended.violations![0]!.value).toBeGreaterThan(50);
    expect(markedLive(d!.home, job.id)).toEqual([]);
  }, 90_000);

  it('--on-limit restart stops the tree and runs it again under its policy, until the policy gives up', async () => {
    await start();
    const job = await track(['--max-procs', '10', '--on-limit', 'restart', '--restart-delay', '200ms', '--max-restarts', '1', '--shell', 'for i in $(seq 30); do sleep 4124 & done; wait']);
    expect(job.spec.restart).toMatchObject({ policy: 'on-failure', maxRestarts: 1 });
    const ended = await waitForEnd(d!, job.id, { timeoutMs: 60_000 });
    expect(ended.state).toMatchObject({ kind: 'failed', outcome: 'restarts_exhausted' });
    expect(ended.runs?.earlier).toMatchObject([{ run: 1, state: 'failed', outcome: 'limit', outcomeDetail: 'procs', then: 'restart' }]);
    expect(ended.violations!.map((v) => [v.limit, v.action])).toEqual([
      ['procs', 'restart'],
      ['procs', 'restart'],
    ]);
    expect(markedLive(d!.home, job.id)).toEqual([]);
  }, 90_000);

  it('--max-fds counts the open files of the tree', async () => {
    await start();
    const job = await track(['--max-fds', '60', '--', process.execPath, HOG, '1', '100']);
    const ended = await waitForEnd(d!, job.id, { timeoutMs: 60_000 });
    expect(ended.state).toMatchObject({ kind: 'failed', outcome: 'limit', outcomeDetail: 'fds' });
    expect(ended.violations![0]!.value).toBeGreaterThan(100);
  }, 90_000);

  it('--max-cpu counts only sustained use: a busy loop goes over 1% averaged over the 10 s window (1%: on a machine loaded 10× over, a busy loop still gets several %)', async () => {
    await start();
    const events = await recordEvents();
    const job = await track(['--max-cpu', '1', '--on-limit', 'warn', '--', process.execPath, '-e', 'for (;;) {}']);
    const violation = await waitFor(() => events.find((e) => e.kind === 'limit.exceeded'), { what: 'the cpu violation', timeoutMs: 60_000 });
    if (violation.kind !== 'limit.exceeded') throw new Error('unreachable');
    expect(violation.violation).toMatchObject({ limit: 'cpu', max: 1, action: 'warn' });
    // Judged only once the readings cover the window.
    const running = await jobStatus(d!, job.id);
    if (!hasLiveProcess(running.state)) throw new Error(`job ended: ${running.state.kind}`);
    expect(violation.violation.at - running.state.startedAt).toBeGreaterThanOrEqual(10_000);
  }, 90_000);

  it('--on-limit warn only records: the job keeps running, one violation while it stays over', async () => {
    await start();
    const events = await recordEvents();
    const job = await track(['--max-memory', '50M', '--on-limit', 'warn', '--', process.execPath, HOG, '100']);
    const recorded = await waitFor(
      async () => {
        const j = await jobStatus(d!, job.id);
        return j.violations?.length ? j : null;
      },
      { what: 'the violation on the job', timeoutMs: 60_000 },
    );
    expect(recorded.violations![0]).toMatchObject({ limit: 'memory', action: 'warn' });
    // Several more readings over the limit: still running, still one violation, never stopped.
    const seen = recorded.resources!.samples;
    const later = await waitFor(
      async () => {
        const j = await jobStatus(d!, job.id);
        return j.resources && j.resources.samples >= seen + 5 ? j : null;
      },
      { what: 'five more samples', timeoutMs: 60_000 },
    );
    expect(later.state.kind).toBe('running');
    expect(later.pendingKill).toBeNull();
    expect(later.violations).toHaveLength(1);
    expect(events.filter((e) => e.kind === 'limit.exceeded')).toHaveLength(1);
    expect(events.some((e) => e.kind === 'job.stopping')).toBe(false);
  }, 90_000);

  it('bad sizes and numbers get clear errors, from the CLI and on the wire, and the daemon keeps running', async () => {
    await start();
    const cases: [string[], RegExp][] = [
      [['--max-memory', '50Q'], /--max-memory: "50Q" is not a size/],
      [['--max-memory', '10k'], /--max-memory: "10k" is too small: at least 1\.0MiB/],
      [['--max-cpu', 'lots'], /--max-cpu: "lots" is not a percentage of one core/],
      [['--max-procs', '-5'], /--max-procs: "-5" is not a whole number/],
      [['--max-fds', '0'], /--max-fds: "0" is too small: at least 1/],
      [['--on-limit', 'reboot', '--max-procs', '5'], /--on-limit: "reboot" is not one of kill, restart, warn/],
      [['--on-limit', 'warn'], /--on-limit says what to do over a limit: give --max-memory/],
      [['--timeout', '1s', '--max-runtime', '2s'], /--max-runtime is --timeout: give one of them/],
    ];
    for (const [args, message] of cases) {
      const r = await d!.cli(['track', ...args, '--', 'true']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const c = await d!.client();
    await expect(c.track({ argv: ['true'], cwd: '/', limits: { maxProcs: 5, onLimit: 'reboot' as 'kill' } })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(/params\.limits\.onLimit/),
    });
    await expect(c.track({ argv: ['true'], cwd: '/', limits: { maxMemoryBytes: -1 } })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/params\.limits\.maxMemoryBytes/) });
    // Still answering, and --max-runtime is the timeout.
    const job = await track(['--max-runtime', '30s', '--', 'sleep', '60']);
    expect(job.spec.timeoutMs).toBe(30_000);
  }, 90_000);
});
