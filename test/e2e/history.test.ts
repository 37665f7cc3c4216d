// The history of finished runs (issue 14) with a real daemon: every run end is recorded (a
// restarting job's runs each), the records survive a SIGKILL of the daemon, and a task whose
// command has three ~1 s successful runs in history is flagged a time sink from that learned
// baseline when a fourth run takes 4 s.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryRun } from '../../shared/history.js';
import { processGone, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, expectExit, jobStatus, parseJson, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '250ms' } });
});
afterEach(async () => {
  await d?.cleanup();
});

async function history(args: string[] = []): Promise<{ runs: HistoryRun[]; total: number }> {
  const r = await d.cli(['history', '--json', '--limit', '1000', ...args]);
  expectExit(r, 0, `history --json ${args.join(' ')}`);
  return parseJson(r, 'history');
}

/** Waits until the history holds at least `n` runs (recording follows the end by a moment). */
const historyOf = (n: number, args: string[] = []) =>
  waitFor(async () => {
    const h = await history(args);
    return h.runs.length >= n ? h : null;
  }, { what: `${n} runs in the history`, timeoutMs: 30_000 });

describe('history', () => {
  it('records every run, each run of a restarting job too, and keeps them across a daemon SIGKILL', async () => {
    expectExit(await d.cli(['track', '--wait', '--name', 'ok', '--', 'true']), 0, 'track ok');
    expectExit(await d.cli(['track', '--wait', '--name', 'bad', '--shell', 'echo "Error: listen EADDRINUSE: address already in use :::3000" >&2; exit 3']), 3, 'track bad');
    const flaky = await trackJob(d, ['--name', 'flaky', '--restart', 'on-failure', '--restart-delay', '100ms', '--max-restarts', '2', '--shell', 'echo "try $$" >&2; exit 1']);
    const before = await historyOf(5);
    const flakyRuns = before.runs.filter((r) => r.jobId === flaky.id).sort((a, b) => a.run - b.run);
    expect(flakyRuns.map((r) => [r.run, r.restarts, r.state, r.outcome])).toEqual([
      [1, 0, 'failed', 'exit'],
      [2, 1, 'failed', 'exit'],
      [3, 2, 'failed', 'restarts_exhausted'],
    ]);
    expect(flakyRuns.every((r) => /^try \d+$/.test(r.stderrTail[0] ?? ''))).toBe(true);
    const bad = before.runs.find((r) => r.name === 'bad')!;
    expect(bad).toMatchObject({ state: 'failed', exitCode: 3, stderrTail: ['Error: listen EADDRINUSE: address already in use :::3000'] });

    // A job still running when the daemon is SIGKILLed ends while no daemon runs: the next one records it too.
    mkdirSync(join(d.home, 'w'));
    const slow = await trackJob(d, ['--name', 'slow', '--shell', `while [ ! -e "${join(d.home, 'w', 'go')}" ]; do sleep 0.05; done; echo bye >&2; exit 5`]);
    const pid = (await daemonStatus(d)).pid;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => processGone(pid), { what: 'the daemon to die' });
    writeFileSync(join(d.home, 'w', 'go'), '');

    const after = await historyOf(6); // autostarts the next daemon
    expect((await daemonStatus(d)).pid).not.toBe(pid);
    const bySeq = (h: { runs: HistoryRun[] }) => h.runs.filter((r) => r.jobId !== slow.id).map((r) => ({ ...r }));
    expect(bySeq(after)).toEqual(bySeq(before));
    expect(after.runs.find((r) => r.jobId === slow.id)).toMatchObject({ name: 'slow', state: 'failed', exitCode: 5, stderrTail: ['bye'] });
    // seqs are never reused: the new run comes after every old one
    expect(after.runs[0]!.jobId).toBe(slow.id);
    expect(after.runs[0]!.seq).toBeGreaterThan(Math.max(...before.runs.map((r) => r.seq)));

    // By name and by id; the human table shows the last stderr line.
    expect((await history(['flaky'])).runs).toHaveLength(3);
    expect((await history([String(flaky.id)])).runs).toHaveLength(3);
    const table = await d.cli(['history', 'bad']);
    expect(table.stdout).toMatch(/EADDRINUSE/);
  }, 90_000);

  it('flags a fourth run of a command as a time sink from the learned baseline of its three ~1 s runs', async () => {
    const cwd = join(d.home, 'task');
    mkdirSync(cwd);
    // The same argv every time (the signature includes it): the duration comes from a file in the cwd.
    const argv = ['--', 'sh', '-c', 'sleep "$(cat d)"'];
    writeFileSync(join(cwd, 'd'), '1\n');
    for (let i = 0; i < 3; i++) expectExit(await d.cli(['track', '--wait', '--name', 'task', ...argv], { cwd }), 0, 'track --wait');
    await historyOf(3);
    // 30 s, killed below: long enough that a busy machine cannot end it before the flag is seen.
    writeFileSync(join(cwd, 'd'), '30\n');
    const fourth = parseJson<{ id: number }>(await d.cli(['track', '--json', '--name', 'task', ...argv], { cwd }), 'track');
    const flagged = await waitFor(async () => {
      const job = await jobStatus(d, fourth.id);
      return job.flags.find((f) => f.kind === 'time_sink') ?? null;
    }, { what: 'the time-sink flag', timeoutMs: 30_000 });
    expect(flagged.data).toMatchObject({ expectedFrom: 'learned', baselineRuns: 3 });
    const median = flagged.data.medianMs as number;
    expect(median).toBeGreaterThanOrEqual(1000);
    expect(median).toBeLessThan(2000); // a ~1 s run, with room for a busy machine
    expect(flagged.detail).toMatch(/the usual .* \(learned: median of the last 3 successful runs/);
    // status says what it usually takes
    const status = await jobStatus(d, fourth.id);
    expect(status.baseline).toMatchObject({ runs: 3, medianMs: median });
    expect((await d.cli(['status', String(fourth.id)])).stdout).toMatch(/usually\s+1(\.\d)?s \(p90 1(\.\d)?s\), learned from 3 successful runs/);
    expectExit(await d.cli(['kill', String(fourth.id)]), 0, 'kill');
  }, 90_000);
});
