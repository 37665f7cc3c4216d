// Progress from inside a job against a real daemon: `procd progress` run by the job and marker
// lines on its stdout show in status and ls with percent, phase and an ETA; a job whose progress
// stalls is flagged stuck while it keeps printing; milestones are events; bad reports get a code.

import { afterEach, describe, expect, it } from 'vitest';
import type { ProcdEvent } from '../../shared/events.js';
import { ErrorCode, type ProcdError } from '../../shared/errors.js';
import { CLI, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobLogs, jobStatus, listJobs, trackJob, waitForEnd, waitForFlag } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

async function start(): Promise<TestDaemon> {
  d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '300ms' } });
  return d;
}

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
/** The CLI as a job's shell script calls it (the job has the test home's PROCD_HOME and its own PROCD_JOB_ID). */
const PROCD = `${sq(process.execPath)} ${sq(CLI)}`;

async function trackShell(script: string, args: string[] = []): Promise<number> {
  const job = await trackJob(d!, [...args, '--shell', script], { code: 0 });
  return job.id;
}

const withProgress = (id: number, ok: (percent: number) => boolean = () => true) =>
  waitFor(
    async () => {
      const job = await jobStatus(d!, id);
      return job.progress && ok(job.progress.percent) ? job : null;
    },
    { what: `job ${id} to report progress` },
  );

describe('progress', () => {
  it('procd progress from inside a job shows in status and ls with percent, phase and an ETA', async () => {
    await start();
    const id = await trackShell(`${PROCD} progress 50 --phase half; sleep 30`);
    const job = await withProgress(id);
    expect(job.progress).toMatchObject({ percent: 50, done: 50, total: null, phase: 'half', source: 'cli', reports: 1 });
    expect(job.eta).toMatchObject({ basis: 'progress' });
    expect(job.eta!.leftMs).toBeGreaterThanOrEqual(0);

    const human = await d!.cli(['status', String(id)]);
    expectExit(human, 0, 'status');
    expect(human.stdout).toMatch(/^state +running 50% \(half\) ~(<1s|\d+[smh]) left$/m);
    expect(human.stdout).toMatch(/^progress +50%, phase half; last report .* \(procd progress\), 1 report in this run$/m);
    expect(human.stdout).toMatch(/^eta +~.* left \(from the progress rate since its first report\)$/m);

    const [listed] = await listJobs(d!);
    expect(listed).toMatchObject({ id, progress: { percent: 50, phase: 'half' }, eta: { basis: 'progress' } });
    const ls = await d!.cli(['ls'], { env: { COLUMNS: '200' } });
    expect(ls.stdout).toMatch(new RegExp(`^${id} +\\S+ +running 50% \\(half\\) ~(<1s|\\d+[smh]) `, 'm'));
  });

  it('done with --total counts items: 67 of 200 is 33.5%', async () => {
    await start();
    const id = await trackShell(`${PROCD} progress 67 --total 200 --phase 'URL 2 of 3'; sleep 30`);
    const job = await withProgress(id);
    expect(job.progress).toMatchObject({ percent: 33.5, done: 67, total: 200, phase: 'URL 2 of 3' });
    expect((await d!.cli(['status', String(id)])).stdout).toMatch(/^progress +67\/200 \(33%\), phase URL 2 of 3;/m);
  });

  it('a marker line on stdout reports the same without the CLI, and stays in the output as written', async () => {
    await start();
    const id = await trackShell(`echo starting; echo '::procd progress 3/10 phase=upload'; echo ' ::procd progress 9/10'; sleep 30`);
    const job = await withProgress(id);
    expect(job.progress).toMatchObject({ percent: 30, done: 3, total: 10, phase: 'upload', source: 'marker' });
    expect(job.eta).toMatchObject({ basis: 'progress' });
    expect(await jobLogs(d!, id)).toBe("starting\n::procd progress 3/10 phase=upload\n ::procd progress 9/10\n");
    expect((await d!.cli(['status', String(id)])).stdout).toMatch(/^state +running 30% \(upload\) ~/m);
  });

  it('a job whose progress stalls is flagged stuck while it keeps printing, and cleared when it advances', async () => {
    await start();
    const id = await trackShell(`echo '::procd progress 40 phase=fetch'; while :; do echo tick; sleep 0.1; done`, ['--stuck-after', '1s']);
    await withProgress(id);
    const { job, flag } = await waitForFlag(d!, id, 'stuck', { timeoutMs: 20_000, everyMs: 100 });
    expect(flag.detail).toMatch(/^progress stalled at 40% \(fetch\) for .* \(stuck after 1\.0s\)$/);
    expect(flag.data).toMatchObject({ percent: 40, phase: 'fetch', stuckAfterMs: 1000 });
    // It prints on: the output rule alone would never flag it.
    await waitFor(async () => (await jobStatus(d!, id)).output.stdoutBytes > job.output.stdoutBytes + 10, { what: 'more output after the flag' });

    expectExit(await d!.cli(['progress', '60', '--job', String(id)]), 0, 'progress 60');
    await waitFor(async () => !(await jobStatus(d!, id)).flags.some((f) => f.kind === 'stuck'), { what: 'the stuck flag to clear once progress advances' });
  });

  it('milestones are job.progress events: the first report, each tenth of the way, a new phase — not every report', async () => {
    await start();
    const c = await d!.client();
    const events: ProcdEvent[] = [];
    c.onNotification((method, params) => {
      if (method === 'event') events.push(params as ProcdEvent);
    });
    await c.subscribe({ kinds: ['job.progress'] });
    const id = await trackShell(`i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo "::procd progress $i"; done; sleep 30`);
    await waitFor(() => events.some((e) => e.kind === 'job.progress' && e.progress.percent === 100), { what: 'the 100% milestone' });
    const mine = events.filter((e) => e.kind === 'job.progress' && e.job.id === id);
    expect(mine.length).toBeGreaterThanOrEqual(1);
    expect(mine.length).toBeLessThanOrEqual(11);
    expect((await jobStatus(d!, id)).progress).toMatchObject({ percent: 100, reports: 100 });
  });

  it('bad reports get a clear error with a code, and the daemon answers on', async () => {
    await start();
    const id = await trackShell('sleep 30');
    const foreign = await d!.cli(['progress', '5', '--json'], { env: { PROCD_JOB_ID: String(id), PROCD_INSTANCE: '00000000deadbeef' } });
    expectExit(foreign, 1, 'progress from another home');
    expect(JSON.parse(foreign.stdout)).toMatchObject({ error: { code: ErrorCode.InstanceMismatch, name: 'InstanceMismatch' } });
    expect(foreign.stderr).toMatch(/belongs to another procd home/);

    const outside = await d!.cli(['progress', '5']);
    expectExit(outside, 2, 'progress outside a job');
    expect(outside.stderr).toMatch(/not inside a procd job \(PROCD_JOB_ID is not set\)/);
    for (const [args, why] of [
      [['150'], /150% is more than 100%/],
      [['5', '--total', '3'], /5 is more than the total 3/],
      [['-5'], /unknown option -5/],
      [['--', '-5'], /"-5" is negative/],
      [['lots'], /"lots" is not a number/],
    ] as const) {
      const r = await d!.cli(['progress', ...args], { env: { PROCD_JOB_ID: String(id) } });
      expectExit(r, 2, `progress ${args.join(' ')}`);
      expect(r.stderr).toMatch(why);
    }

    // The daemon checks for itself what a client other than the CLI sends.
    const c = await d!.client();
    const refused = (p: Parameters<typeof c.progress>[0]) => c.progress(p).then(() => null, (err: ProcdError) => err);
    expect(await refused({ job: id, done: 5, total: 3 })).toMatchObject({ code: ErrorCode.InvalidParams, message: expect.stringMatching(/more than the total 3/) });
    expect(await refused({ job: id, done: 101 })).toMatchObject({ code: ErrorCode.InvalidParams });
    expect(await refused({ job: id, done: 5, total: 0 })).toMatchObject({ code: ErrorCode.InvalidParams });
    expect(await refused({ job: id, done: -1 })).toMatchObject({ code: ErrorCode.InvalidParams });
    expect(await refused({ job: id, done: 1, phase: 'a\nb' })).toMatchObject({ code: ErrorCode.InvalidParams });
    expect(await refused({ job: 999, done: 1 })).toMatchObject({ code: ErrorCode.JobNotFound });
    const ended = await trackShell('true');
    await waitForEnd(d!, ended);
    expect(await refused({ job: ended, done: 1 })).toMatchObject({ code: ErrorCode.JobNotRunning });
    expect((await c.progress({ job: id, done: 7, total: 10 })).progress).toMatchObject({ percent: 70 });
  });
});
