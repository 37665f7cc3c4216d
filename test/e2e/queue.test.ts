// The queue against a real daemon: a group's parallel limit holds (never more than N of its jobs
// run, read from the recorded start and end times), priorities order the starts, a low-priority
// job waiting long enough overtakes fresh high ones (aging), the queue survives a daemon SIGKILL,
// `--after` runs jobs in order and a failure propagates down a chain of three, `--after X:ready`
// waits for X's readiness.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../shared/methods.js';
import { waitFor } from '../helpers/wait-for.js';
import { processGone, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, expectExit, jobStatus, trackJob, waitForEnd } from './helpers/jobs.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

async function cli(args: string[]): Promise<string> {
  const r = await d!.cli(args);
  expectExit(r, 0, args.join(' '));
  return r.stdout;
}

function span(j: JobStatus): { id: number; start: number; end: number } {
  if (j.state.kind !== 'completed') throw new Error(`job ${j.id} ended ${j.state.kind}`);
  return { id: j.id, start: j.state.startedAt, end: j.state.endedAt };
}

/** The most jobs running at one moment, from their start and end times. */
function maxOverlap(spans: { start: number; end: number }[]): number {
  const points = spans.flatMap((s) => [[s.start, 1] as const, [s.end, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, delta] of points) max = Math.max(max, (now += delta));
  return max;
}

describe('queue groups and priorities', () => {
  it('with --parallel 2 and 5 jobs never more than 2 run, and priorities order the starts (FIFO within one)', async () => {
    d = await startTestDaemon();
    // Paused while the jobs are queued, so the order is the queue's and not the order of arrival.
    await cli(['group', 'set', 'g', '--parallel', '2', '--pause']);
    const plan: [string, string][] = [['a', 'low'], ['b', 'normal'], ['c', 'high'], ['d', 'normal'], ['e', 'critical']];
    const ids: Record<string, number> = {};
    for (const [name, priority] of plan) {
      const job = await trackJob(d, ['--group', 'g', '--priority', priority, '--name', name, '--', 'sleep', '0.4']);
      expect(job.state.kind).toBe('queued');
      ids[name] = job.id;
    }
    const groups = JSON.parse(await cli(['group', 'ls', '--json'])) as { name: string; queued: number; paused: boolean }[];
    expect(groups.find((g) => g.name === 'g')).toMatchObject({ queued: 5, paused: true });
    const listing = await cli(['ls']);
    for (const [name, place] of [['e', 1], ['c', 2], ['b', 3], ['d', 4], ['a', 5]] as const) expect(listing).toMatch(new RegExp(`${name} +queued #${place} \\(paused\\)`));
    await cli(['group', 'resume', 'g']);
    const ended = await Promise.all(Object.values(ids).map((id) => waitForEnd(d!, id, { timeoutMs: 60_000 })));
    const spans = ended.map(span);
    expect(maxOverlap(spans)).toBeLessThanOrEqual(2);
    const order = [...spans].sort((x, y) => x.start - y.start || x.id - y.id).map((s) => Object.keys(ids).find((k) => ids[k] === s.id));
    // Two start together (e, c); then b and d (normal) as slots free, a (low) last. e and c end at
    // about the same moment, so b and d are usually admitted in one pass and their shims' start
    // times say nothing of the queue's order between them: FIFO within a priority is the pure
    // function's (test/unit/queue/admission.test.ts), and the queue's positions show it here.
    expect(order.slice(0, 2).sort()).toEqual(['c', 'e']);
    expect(order.slice(2, 4).sort()).toEqual(['b', 'd']);
    expect(order[4]).toBe('a');
  }, 90_000);

  it('ages: a low-priority job that has waited overtakes high-priority ones queued after it', async () => {
    d = await startTestDaemon({ env: { PROCD_QUEUE_AGING: '100ms' } });
    await cli(['group', 'set', 'one', '--parallel', '1', '--pause']);
    const low = await trackJob(d, ['--group', 'one', '--priority', 'low', '--', 'sleep', '0.2']);
    // low is −10 and high +10: after 21 steps of 100 ms low ranks above a fresh high.
    await waitFor(async () => {
      const s = await jobStatus(d!, low.id);
      return s.state.kind === 'queued' && Date.now() - s.state.queuedAt > 2600;
    }, { what: 'the low job to age', timeoutMs: 30_000 });
    const highs = [];
    for (let i = 0; i < 3; i++) highs.push(await trackJob(d, ['--group', 'one', '--priority', 'high', '--', 'sleep', '0.2']));
    await cli(['group', 'resume', 'one']);
    const lowEnd = span(await waitForEnd(d, low.id, { timeoutMs: 60_000 }));
    const highEnds = (await Promise.all(highs.map((h) => waitForEnd(d!, h.id, { timeoutMs: 60_000 })))).map(span);
    expect(lowEnd.start).toBeLessThan(Math.min(...highEnds.map((h) => h.start)));
  }, 90_000);

  it('the queue survives a daemon SIGKILL: waiting jobs are still queued, in place, and start when their turn comes', async () => {
    d = await startTestDaemon();
    await cli(['group', 'set', 'g', '--parallel', '1', '--pause']);
    const a = await trackJob(d, ['--group', 'g', '--', 'true']);
    const b = await trackJob(d, ['--group', 'g', '--', 'true']);
    const pid = (await daemonStatus(d)).pid;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => processGone(pid), { what: 'the daemon to die' });
    // The next call starts a daemon, which finds both waiting, the group still paused.
    const after = await waitFor(async () => {
      const s = await jobStatus(d!, b.id);
      return s.standing ? s : null;
    }, { what: 'the new daemon to place job b in the queue', timeoutMs: 30_000 });
    expect(after.state.kind).toBe('queued');
    expect(after.standing).toMatchObject({ waitsFor: 'paused_group', position: 2 });
    await cli(['group', 'resume', 'g']);
    const [ea, eb] = [await waitForEnd(d, a.id), await waitForEnd(d, b.id)];
    expect(span(eb).start).toBeGreaterThanOrEqual(span(ea).end);
  }, 90_000);
});

describe('the queue and the rest of the lifecycle', () => {
  it('a restart under its policy waits for a slot of its group like any queued job', async () => {
    d = await startTestDaemon();
    const dir = mkdtempSync(join(tmpdir(), 'procd-queue-restart-'));
    await cli(['group', 'set', 'g', '--parallel', '2']);
    // A fails when told to and restarts after 200 ms; B runs until told to end. Both run, then the limit drops to 1.
    const a = await trackJob(d, ['--group', 'g', '--cwd', dir, '--restart', 'on-failure', '--restart-delay', '200ms', '--max-restarts', '1', '--shell', 'while [ ! -e fail ]; do sleep 0.05; done; exit 1']);
    const b = await trackJob(d, ['--group', 'g', '--cwd', dir, '--shell', 'while [ ! -e go ]; do sleep 0.05; done']);
    await cli(['group', 'set', 'g', '--parallel', '1']);
    writeFileSync(join(dir, 'fail'), '');
    // A's backoff ends while B holds the only slot: A waits for it, in the queue.
    const waiting = await waitFor(async () => {
      const s = await jobStatus(d!, a.id);
      return s.state.kind === 'queued' && s.standing?.waitsFor === 'slot' ? s : null;
    }, { what: "A's restart waiting for a slot", timeoutMs: 30_000 });
    expect(waiting.standing?.detail).toBe('group g runs 1 of at most 1');
    writeFileSync(join(dir, 'go'), '');
    const [ea, eb] = [await waitForEnd(d, a.id, { timeoutMs: 60_000 }), await waitForEnd(d, b.id, { timeoutMs: 60_000 })];
    expect(ea.runs?.current).toBe(2);
    if (!('startedAt' in ea.state) || eb.state.kind !== 'completed') throw new Error(`unexpected ends: ${ea.state.kind}, ${eb.state.kind}`);
    expect(ea.state.startedAt).toBeGreaterThanOrEqual(eb.state.endedAt);
  }, 90_000);

  it('procd restart of a job waiting in the queue answers at once and leaves it in its place; an ended one in a full group waits in the queue', async () => {
    d = await startTestDaemon();
    await cli(['group', 'set', 'g', '--parallel', '1']);
    const runner = await trackJob(d, ['--group', 'g', '--', 'sleep', '100']);
    const waiting = await trackJob(d, ['--group', 'g', '--', 'true']);
    // Without an answer the queue would be bypassed or the call would wait for a run that cannot start (20 s).
    const r = await d.cli(['restart', String(waiting.id), '--json'], { timeoutMs: 15_000 });
    expectExit(r, 0, 'restart');
    expect(JSON.parse(r.stdout)).toMatchObject([{ id: waiting.id, ok: true, state: 'queued', stopped: false }]);
    const done = await trackJob(d, ['--', 'true']);
    await waitForEnd(d, done.id);
    // A job of no group run again: starts at once. Moved into a full group's queue it would wait.
    expect(JSON.parse((await d.cli(['restart', String(done.id), '--json'], { timeoutMs: 15_000 })).stdout)).toMatchObject([{ id: done.id, ok: true, run: 2 }]);
    expect((await jobStatus(d, runner.id)).state.kind).toBe('running');
    expect((await jobStatus(d, waiting.id)).standing).toMatchObject({ waitsFor: 'slot', position: 1 });
  }, 90_000);

  it('track answers as without a queue: a command that cannot start exits 127 in a limited group; a dependant that can never run exits 1 and says why', async () => {
    d = await startTestDaemon();
    await cli(['group', 'set', 'g', '--parallel', '5']);
    const missing = await d.cli(['track', '--group', 'g', '--', '/nonexistent/command']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('ENOENT');
    const bad = await trackJob(d, ['--name', 'bad', '--', 'false']);
    await waitForEnd(d, bad.id);
    const dependant = await d.cli(['track', '--after', 'bad', '--', 'echo', 'never']);
    expect(dependant.code).toBe(1);
    expect(dependant.stderr).toMatch(/will not run: bad:completed can no longer be met: job \d+ \(bad\) failed \(exit 1\)/);
    const service = await trackJob(d, ['--name', 'svc', '--restart', 'always', '--', 'sleep', '100']);
    const forever = await d.cli(['track', '--after', 'svc', '--', 'true']);
    expect(forever.code).toBe(2);
    expect(forever.stderr).toContain(`job ${service.id} (svc) is kept up by its restart policy (always): it never completes; wait for svc:started or svc:ready`);
  }, 90_000);
});

describe('dependencies (--after)', () => {
  it('runs in order, and dependency_failed propagates through a chain of three at once', async () => {
    d = await startTestDaemon();
    // build runs until the test lets it end: a busy machine may take longer than any sleep to track `test`.
    const gate = join(d.home, 'build-may-end');
    const build = await trackJob(d, ['--name', 'build', '--', 'sh', '-c', `while [ ! -e '${gate}' ]; do sleep 0.05; done`]);
    const test = await trackJob(d, ['--name', 'test', '--after', 'build', '--', 'true']);
    expect(test.state).toMatchObject({ kind: 'queued', reason: { kind: 'queue' } });
    writeFileSync(gate, '');
    const [b, t] = [span(await waitForEnd(d, build.id)), span(await waitForEnd(d, test.id))];
    expect(t.start).toBeGreaterThanOrEqual(b.end);

    const fail = await trackJob(d, ['--name', 'compile', '--shell', 'sleep 0.3; exit 3']);
    const unit = await trackJob(d, ['--name', 'unit', '--after', 'compile', '--', 'true']);
    const ship = await trackJob(d, ['--name', 'ship', '--after', `${unit.id}:completed`, '--', 'true']);
    const endedShip = await waitForEnd(d, ship.id);
    const endedUnit = await jobStatus(d, unit.id);
    expect(endedUnit.state).toMatchObject({ kind: 'failed', outcome: 'dependency_failed', exitCode: null, outcomeDetail: expect.stringContaining(`job ${fail.id} (compile) failed (exit 3)`) });
    expect(endedShip.state).toMatchObject({ kind: 'failed', outcome: 'dependency_failed', outcomeDetail: expect.stringContaining(`job ${unit.id} (unit) failed (dependency_failed)`) });
    // Neither ever ran.
    expect((await d.cli(['logs', String(ship.id)])).stdout).toBe('');
    expect(await cli(['status', 'ship'])).toMatch(/after +job \d+: completed/);
  }, 90_000);

  it('--after X:ready waits for X to become ready; an unknown job is refused', async () => {
    d = await startTestDaemon();
    const server = await trackJob(d, ['--name', 'db', '--ready-when', 'output=accepting', '--probe-interval', '100ms', '--shell', 'sleep 1; echo accepting; exec sleep 1000']);
    const client = await trackJob(d, ['--after', 'db:ready', '--', 'true']);
    expect((await jobStatus(d, client.id)).standing).toMatchObject({ waitsFor: 'dependencies', detail: expect.stringContaining('(db) to be ready') });
    const ran = span(await waitForEnd(d, client.id, { timeoutMs: 30_000 }));
    const readyAt = (await jobStatus(d, server.id)).probes?.ready?.at;
    expect(readyAt).toBeDefined();
    expect(ran.start).toBeGreaterThanOrEqual(readyAt!);
    const unknown = await d.cli(['track', '--after', 'nosuch', '--', 'true']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('--after nosuch: no job named nosuch');
  }, 90_000);
});
