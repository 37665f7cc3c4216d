// The monitor against a real daemon sampling every few hundred ms: stuck, bottleneck, time sink
// and zombie flags raised (and cleared) on real processes, the process tree, and resource figures.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobFlag, JobView } from '../../shared/job.js';
import type { ProcdEvent } from '../../shared/events.js';
import { CLOCK_TICKS_PER_SECOND } from '../../daemon/proc/process-table.js';
import { FIXTURES, pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { flagOf, jobLogs, jobStatus, pidOf, trackJob, waitForFlag } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const INTERVAL_MS = 300;

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

async function start(env: Record<string, string> = {}): Promise<TestDaemon> {
  d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: `${INTERVAL_MS}ms`, ...env } });
  return d;
}

/** Tracks a job that must be running when the answer comes. */
async function track(args: string[]): Promise<JobView> {
  const job = await trackJob(d!, args, { code: 0 });
  expect(job.state.kind).toBe('running');
  return job;
}

const status = (id: number, tree = false) => jobStatus(d!, id, { tree });
const logs = (id: number) => jobLogs(d!, id);

/** Polls until the job carries a flag of `kind` matching `ok`; returns the job and the flag. */
const flagged = (id: number, kind: JobFlag['kind'], ok?: (f: JobFlag) => boolean, timeoutMs = 20_000) => waitForFlag(d!, id, kind, { ok, timeoutMs, everyMs: 50 });

const startedAt = (job: JobView) => ('startedAt' in job.state ? job.state.startedAt : NaN);

/**
 * Starts measuring the CPU `pid` got, by the kernel's count in /proc/<pid>/stat (user + system,
 * plus its reaped children's with `children`); call the result for the % of one core so far.
 */
function cpuShare(pid: number, opts: { children?: boolean } = {}): () => number {
  const ticks = () => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number); // f[11] is field 14 (utime)
    return f[11]! + f[12]! + (opts.children ? f[13]! + f[14]! : 0);
  };
  const [ticks0, t0] = [ticks(), performance.now()];
  return () => ((ticks() - ticks0) / CLOCK_TICKS_PER_SECOND / ((performance.now() - t0) / 1000)) * 100;
}

describe('monitor flags', () => {
  it('a chatty job that goes silent becomes stuck within stuck-after + one interval, and is cleared when it talks again', async () => {
    await start();
    const go = join(d!.home, 'talk-again');
    const job = await track(['--stuck-after', '1s', '--', process.execPath, join(FIXTURES, 'aw-stuck.mjs'), go]);
    await waitFor(async () => (await logs(job.id)).includes('hello 2\n'), { what: 'the first lines' });

    const { job: stuck, flag } = await flagged(job.id, 'stuck');
    expect(flag.severity).toBe('medium');
    expect(flag.detail).toMatch(/no output for .* \(stuck after 1\.0s\)/);
    const lastOutputAt = stuck.output.lastOutputAt;
    expect(lastOutputAt).not.toBeNull();
    expect(flag.data.lastOutputAt).toBe(lastOutputAt);
    const silentFrom = Math.max(lastOutputAt!, startedAt(stuck));
    // raised on the first tick at or after 1 s of silence: never early, late by at most one
    // interval (plus slack for a busy machine).
    expect(flag.raisedAt - silentFrom).toBeGreaterThanOrEqual(1000);
    expect(flag.raisedAt - silentFrom).toBeLessThanOrEqual(1000 + INTERVAL_MS + 1500);
    expect(flag.data.silentMs as number).toBeGreaterThanOrEqual(1000);
    expect(flag.data.stuckAfterMs).toBe(1000);

    // Still stuck a few ticks later: the flag keeps its raisedAt.
    const later = await waitFor(async () => {
      const j = await status(job.id);
      return (j.resources?.samples ?? 0) >= (stuck.resources?.samples ?? 0) + 2 ? j : null;
    }, { what: 'another sample' });
    expect(flagOf(later, 'stuck')?.raisedAt).toBe(flag.raisedAt);

    writeFileSync(go, '');
    const cleared = await waitFor(async () => {
      const j = await status(job.id);
      return flagOf(j, 'stuck') ? null : j;
    }, { what: 'the stuck flag to clear' });
    expect(await logs(job.id)).toMatch(/again 0\n/);
    const history = cleared.flagHistory.filter((f) => f.kind === 'stuck');
    expect(history).toHaveLength(1);
    expect(history[0]!.raisedAt).toBe(flag.raisedAt);
    expect(history[0]!.clearedAt).toBeGreaterThan(flag.raisedAt);
    expect(cleared.state.kind).toBe('running');
    const text = await d!.cli(['status', String(job.id)]);
    expect(text.stdout).toMatch(/was stuck/);
  });

  it('a busy loop is flagged bottleneck after consecutive hot samples, and its CPU reads 80–110% of a core', async (ctx) => {
    // The flag threshold is lowered so that the test also passes on a loaded 2-core machine;
    // the reading itself must still come out near one full core.
    await start({ PROCD_CPU_THRESHOLD: '50', PROCD_CPU_SAMPLES: '3' });
    const job = await track(['--', process.execPath, '-e', 'for(;;){}']);
    const share = cpuShare(pidOf(job));
    const reading = await waitFor(
      async () => {
        const j = await status(job.id);
        const cpu = j.resources?.last?.cpuPercent;
        return cpu !== null && cpu !== undefined && cpu >= 80 && cpu <= 110 ? cpu : null;
      },
      { what: 'a CPU reading of one busy core', timeoutMs: 20_000, everyMs: 100 },
    ).catch((err: unknown) => {
      // no such reading can come when the kernel itself gave the loop far less than a core
      const got = share();
      ctx.skip(got < 75, `the machine is too busy: the loop got ${got.toFixed(0)}% of a core (kernel's count), not ~100%`);
      throw err;
    });
    expect(reading).toBeGreaterThanOrEqual(80);

    const { job: hot, flag } = await flagged(job.id, 'bottleneck');
    expect(flag.severity).toBe('medium');
    expect(flag.detail).toMatch(/CPU \d+% of a core for \d+ samples \(≥ 50%\)/);
    expect(flag.data.cpuPercent as number).toBeGreaterThanOrEqual(50);
    // the first reading of a new process is unknown, then three hot ones are needed
    expect(flag.raisedAt - startedAt(hot)).toBeGreaterThanOrEqual(2 * INTERVAL_MS);
    expect(hot.resources!.cpuPeak).toBeGreaterThanOrEqual(80);
    expect(hot.resources!.cpuPeak).toBeLessThanOrEqual(200);
    // ls shows it too (polled: on an overloaded machine a cold sample may clear it for a moment)
    await waitFor(async () => /\bbottleneck\b/.test((await d!.cli(['ls'])).stdout), { what: 'ls to show the flag', timeoutMs: 20_000, everyMs: 50 });
  });

  it('time sink: --expect 1s on a sleep is medium from 2× and high from 3×', async (ctx) => {
    // --expect 1s with a reading every 100 ms: ten readings fall between 2× and 3×, so a busy
    // machine that delays a few ticks still sees the medium stage.
    await start({ PROCD_SAMPLE_INTERVAL: '100ms' });
    const c = await d!.client();
    const events: ProcdEvent[] = [];
    c.onNotification((method, params) => {
      if (method === 'event') events.push(params as ProcdEvent);
    });
    await c.subscribe({ jobs: [1], kinds: ['flag.raised', 'flag.changed', 'flag.cleared'] });
    const job = await track(['--expect', '1s', '--', 'sleep', '100']);
    expect(job.id).toBe(1);

    const raised = await waitFor(() => events.find((e) => e.kind === 'flag.raised' && e.flag.kind === 'time_sink'), { what: 'time_sink to be raised' });
    if (raised.kind !== 'flag.raised') throw new Error('unexpected event');
    const ratio = raised.flag.data.ratio as number;
    expect(ratio).toBeGreaterThanOrEqual(2);
    expect(raised.flag.severity).toBe(ratio < 3 ? 'medium' : 'high');
    // the daemon took no reading in the whole second between 2× and 3×: the medium stage was not observable
    ctx.skip(ratio >= 3, `the first reading came at ${ratio}×: the daemon was starved of CPU for over a second`);
    expect(raised.flag.severity).toBe('medium');
    expect(raised.flag.data.expectedMs).toBe(1000);
    expect(ratio).toBeLessThan(3);
    expect(raised.flag.raisedAt - startedAt(job)).toBeGreaterThanOrEqual(2000);
    expect(raised.flag.detail).toMatch(/× the expected 1\.0s/);

    const { flag: high } = await flagged(job.id, 'time_sink', (f) => f.severity === 'high');
    expect(high.raisedAt).toBe(raised.flag.raisedAt); // the same flag, escalated
    expect(high.data.ratio as number).toBeGreaterThanOrEqual(3);
    expect(high.data.elapsedMs as number).toBeGreaterThanOrEqual(3000);
    expect(events.filter((e) => e.kind === 'flag.cleared')).toEqual([]);
    // the escalation is announced once, as a change of the same flag
    const changed = await waitFor(() => events.find((e) => e.kind === 'flag.changed'), { what: 'the escalation event' });
    expect(changed).toMatchObject({ kind: 'flag.changed', from: 'medium', flag: { kind: 'time_sink', severity: 'high', raisedAt: raised.flag.raisedAt } });
    expect(events.filter((e) => e.kind === 'flag.raised')).toHaveLength(1);
    const ls = await d!.cli(['ls']);
    expect(ls.stdout).toMatch(/time_sink!/);
  });

  it('a parent that never reaps its child is flagged zombie, with the zombie and its parent', async () => {
    await start({ PROCD_ZOMBIE_AFTER: '500ms' });
    const job = await track(['--', 'perl', join(FIXTURES, 'aw-zombie.pl')]);
    const m = await waitFor(async () => /parent (\d+) zombie (\d+)/.exec(await logs(job.id)), { what: 'the fixture to report its pids' });
    const parent = Number(m[1]);
    const zombie = Number(m[2]);
    expect(parent).toBe(pidOf(job));
    const { flag } = await flagged(job.id, 'zombie');
    expect(flag.pids).toEqual([zombie]);
    expect(flag.data.parents).toEqual([parent]);
    expect(flag.data.oldestMs as number).toBeGreaterThanOrEqual(500);
    expect(flag.detail).toContain(`${zombie} not reaped by parent ${parent}`);
    expect(pidAlive(parent)).toBe(true);
    const ls = await d!.cli(['ls']);
    expect(ls.stdout).toMatch(/zombie:1/);
  });
});

describe('flags end with the run', () => {
  it('stuck and bottleneck are cleared (and announced) when the job ends; only leftovers may outlive it', async (ctx) => {
    await start({ PROCD_CPU_THRESHOLD: '30', PROCD_CPU_SAMPLES: '2', PROCD_GRACE: '300ms' });
    const c = await d!.client();
    const events: ProcdEvent[] = [];
    c.onNotification((method, params) => {
      if (method === 'event') events.push(params as ProcdEvent);
    });
    await c.subscribe({ jobs: [1], kinds: ['flag.raised', 'flag.cleared', 'job.state'] });
    const job = await track(['--stuck-after', '500ms', '--', process.execPath, '-e', 'for(;;){}']);
    const share = cpuShare(pidOf(job));
    await flagged(job.id, 'stuck');
    await flagged(job.id, 'bottleneck').catch((err: unknown) => {
      const got = share();
      ctx.skip(got < 45, `the machine is too busy: the loop got ${got.toFixed(0)}% of a core (kernel's count), too little to be hot at 30%`);
      throw err;
    });
    expect((await d!.cli(['kill', String(job.id)])).code).toBe(0);
    const done = await waitFor(async () => {
      const j = await status(job.id);
      return j.flags.length === 0 ? j : null;
    }, { what: 'both flags to be cleared' });
    expect(done.state.kind).toBe('killed');
    const endedAt = done.state.kind === 'killed' ? done.state.endedAt : NaN;
    const history = done.flagHistory.filter((f) => f.clearedAt === endedAt).map((f) => f.kind).sort();
    // a busy machine may starve the loop: a cold sample then clears bottleneck before the kill
    const coldBefore = events.some((e) => e.kind === 'flag.cleared' && e.flag.kind === 'bottleneck' && e.flag.clearedAt < endedAt);
    ctx.skip(coldBefore && !history.includes('bottleneck'), 'bottleneck was cleared by a cold sample before the kill (the machine starved the busy loop): its end had none to clear');
    expect(history).toEqual(['bottleneck', 'stuck']);
    await waitFor(() => events.filter((e) => e.kind === 'flag.cleared' && e.flag.clearedAt === endedAt).length === 2, { what: 'the flag.cleared events' });
    const ended = events.findIndex((e) => e.kind === 'job.state' && e.to === 'killed');
    expect(events.slice(ended + 1).map((e) => e.kind)).toEqual(['flag.cleared', 'flag.cleared']);
    expect((await d!.cli(['ls'])).stdout).not.toMatch(/stuck|bottleneck/);
  });
});

describe('CPU of short-lived processes', () => {
  it('a job whose work is done by children that live less than one interval reads its real CPU, not 0%', async (ctx) => {
    // Each inner shell counts for a few ms and exits: almost none is ever seen by a tick, but its
    // CPU reaches the outer shell's cutime when it is reaped.
    await start({ PROCD_SAMPLE_INTERVAL: '500ms', PROCD_STUCK_AFTER: '0' });
    const job = await track(['--', 'sh', '-c', 'while :; do sh -c "i=0; while [ \\$i -lt 3000 ]; do i=\\$((i+1)); done"; done']);
    const share = cpuShare(pidOf(job), { children: true });
    const cpu = await waitFor(
      async () => {
        const v = (await status(job.id)).resources?.last?.cpuPercent;
        return v !== null && v !== undefined && v >= 40 ? v : null;
      },
      { what: 'a CPU reading of the busy tree', timeoutMs: 20_000, everyMs: 100 },
    ).catch((err: unknown) => {
      const got = share();
      ctx.skip(got < 60, `the machine is too busy: the tree got ${got.toFixed(0)}% of a core (kernel's count), so no reading of 40% can come`);
      throw err;
    });
    expect(cpu).toBeLessThanOrEqual(220); // never more than the machine's two cores (plus rounding)
  });
});

describe('process tree and resource figures', () => {
  const script = 'sleep 1011 & sleep 1012 & wait';

  it('status --tree lists the job processes (pid, ppid, state, cpu, rss, command) and ls shows CPU and MEM', async () => {
    await start();
    const job = await track(['--', 'sh', '-c', script]);
    const sh = pidOf(job);
    await waitFor(async () => {
      const j = await status(job.id);
      return j.resources?.last?.processes === 3 && j.resources.last.cpuPercent !== null;
    }, { what: 'two ticks with three processes' });
    const s = await status(job.id, true);
    const tree = s.tree!;
    expect(tree.map((p) => p.pid)).toContain(sh);
    expect(tree).toHaveLength(3);
    const root = tree.find((p) => p.pid === sh)!;
    expect(root.command).toBe(`sh -c ${script}`);
    expect(root.ppid).toBe(s.state.kind === 'running' ? s.state.shimPid : -1);
    const sleeps = tree.filter((p) => p.pid !== sh).sort((a, b) => a.command.localeCompare(b.command));
    expect(sleeps.map((p) => p.command)).toEqual(['sleep 1011', 'sleep 1012']);
    for (const p of tree) {
      expect(p.state).toMatch(/^[RS]$/);
      expect(p.rssBytes).toBeGreaterThan(0);
      expect(p.threads).toBeGreaterThanOrEqual(1);
      expect(p.cpuPercent === null || (p.cpuPercent >= 0 && p.cpuPercent < 50)).toBe(true);
    }
    for (const p of sleeps) expect(p.ppid).toBe(sh);

    const text = (await d!.cli(['status', String(job.id), '--tree'])).stdout;
    expect(text).toMatch(/PID\s+PPID\s+S\s+CPU\s+RSS\s+COMMAND/);
    for (const p of tree) expect(text).toMatch(new RegExp(`\\b${p.pid}\\s+${p.ppid}\\s+[RS]\\s+(\\d+%|-)\\s+[\\d.]+(B|KiB|MiB)\\s+`));
    expect(text).toMatch(/sleep 1011/);

    const ls = (await d!.cli(['ls'])).stdout.split('\n');
    expect(ls[0]).toMatch(/^ID\s+NAME\s+STATE\s+PID\s+TIME\s+EXIT\s+CPU\s+MEM(\s+FLAGS)?\s+COMMAND/);
    const row = ls.find((l) => l.startsWith(`${job.id} `));
    expect(row).toMatch(new RegExp(`^${job.id}\\s+sh\\s+running\\s+${sh}\\s+\\S+\\s+-\\s+\\d+%\\s+[\\d.]+(KiB|MiB)\\s+`));

    // a killed job has no live process left (killed children whose new parent does not reap
    // them may linger as zombies: this sandbox's init never reaps)
    await d!.cli(['kill', String(job.id)]);
    const after = await status(job.id, true);
    expect(after.tree!.filter((p) => p.state !== 'Z')).toEqual([]);
  });

  it('resource figures: samples grow, peak ≥ average, and a 3-process job counts 3 processes', async () => {
    await start();
    const job = await track(['--', 'sh', '-c', script]);
    const first = await waitFor(async () => {
      const j = await status(job.id);
      return (j.resources?.samples ?? 0) >= 3 ? j : null;
    }, { what: 'three samples' });
    const second = await waitFor(async () => {
      const j = await status(job.id);
      return j.resources!.samples >= first.resources!.samples + 2 ? j : null;
    }, { what: 'more samples' });
    for (const j of [first, second]) {
      const r = j.resources!;
      expect(r.cpuPeak).toBeGreaterThanOrEqual(r.cpuAvg);
      expect(r.rssPeak).toBeGreaterThanOrEqual(r.rssAvg);
      expect(r.rssAvg).toBeGreaterThan(0);
      expect(r.last!.processes).toBe(3);
      expect(r.last!.states).toEqual({ S: 3 });
      expect(r.last!.threads).toBeGreaterThanOrEqual(3);
      expect(r.last!.rssBytes).toBeGreaterThan(0);
      expect(r.last!.mainRssBytes).toBeGreaterThan(0);
      expect(r.last!.mainRssBytes).toBeLessThan(r.last!.rssBytes);
      expect(r.last!.fds).toBeGreaterThanOrEqual(3);
      expect(r.processesPeak).toBe(3);
    }
    expect(second.resources!.last!.at).toBeGreaterThan(first.resources!.last!.at);
  });
});
