// procd analyze and procd stats against a real daemon: a task running 3× its --expect is a high
// time sink and the report says to kill it (and that command does); two identical commands running
// at once are duplicates; a stuck job shows its last line; stats counts what runs; and over the
// history, a server failing three times with EADDRINUSE beside the job that holds its port.

import { afterEach, describe, expect, it } from 'vitest';
import type { AnalyzeReport, StatsReport } from '../../shared/analyze.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, parseJson, trackJob, waitForEnd } from './helpers/jobs.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

async function report(args: string[] = []): Promise<AnalyzeReport> {
  const r = await d!.cli(['analyze', '--json', ...args]);
  expectExit(r, 0, `analyze --json ${args.join(' ')}`);
  return parseJson<AnalyzeReport>(r, 'analyze --json');
}

describe('procd analyze', () => {
  it('a task with --expect 1s running 3 s is a high time sink (ratio ~3, given), and the recommended procd command stops it', async () => {
    d = await startTestDaemon();
    const job = await trackJob(d, ['--name', 'slow', '--expect', '1s', '--', 'sleep', '60']);
    const sink = await waitFor(async () => (await report()).timeSinks.find((t) => t.jobId === job.id && t.severity === 'high'), { what: 'a high time sink', timeoutMs: 30_000, everyMs: 200 });
    expect(sink).toMatchObject({ live: true, source: 'given', expectedMs: 1000, name: 'slow' });
    // ~3: the first answer at or over 3×, one poll later at most (generous on a busy machine).
    expect(sink.ratio).toBeGreaterThanOrEqual(3);
    expect(sink.ratio).toBeLessThan(8);

    const human = await d.cli(['analyze']);
    expectExit(human, 0, 'analyze');
    expect(human.stdout).toMatch(/time sink/);
    expect(human.stdout).toContain(`HIGH   job ${job.id} (slow) has run`);
    expect(human.stdout).toContain(`→ procd kill ${job.id}`);
    // No colour into a pipe.
    expect(human.stdout).not.toContain('\x1b[');

    const rec = (await report()).recommendations.find((r) => r.evidence.jobIds.includes(job.id));
    expect(rec).toMatchObject({ priority: 'high', command: `procd kill ${job.id}` });
    const acted = await d.cli(rec!.command.split(' ').slice(1));
    expectExit(acted, 0, rec!.command);
    expect((await waitForEnd(d, job.id)).state.kind).toBe('killed');
  });

  it('two identical commands running at once are duplicates, and the report says which to kill', async () => {
    d = await startTestDaemon();
    const a = await trackJob(d, ['--', 'sleep', '61']);
    const b = await trackJob(d, ['--', 'sleep', '61']);
    await trackJob(d, ['--', 'sleep', '62']);
    const r = await waitFor(async () => {
      const now = await report();
      return now.duplicates.length ? now : null;
    }, { what: 'a duplicate (both jobs running)', timeoutMs: 30_000, everyMs: 200 });
    expect(r.duplicates).toEqual([{ signature: `["sleep","61"]@${d.home}`, command: 'sleep 61', jobs: [{ jobId: a.id, name: a.name, run: null }, { jobId: b.id, name: b.name, run: null }] }]);
    expect(r.recommendations).toContainEqual(expect.objectContaining({ priority: 'medium', command: `procd kill ${b.id}`, evidence: { jobIds: [a.id, b.id], figures: { running: 2 } } }));
    const human = await d.cli(['analyze']);
    expect(human.stdout).toContain(`sleep 61 — jobs ${a.id}, ${b.id} at once, same directory`);
  });

  it('a job silent beyond --stuck-after is stuck, with the last line it wrote', async () => {
    d = await startTestDaemon();
    const job = await trackJob(d, ['--stuck-after', '1s', '--', 'sh', '-c', 'echo "fetching page 3 of 9"; sleep 60']);
    // On a busy machine the shell may echo after the first second: wait for the stuck entry with its line.
    const stuck = await waitFor(async () => (await report()).stuck.find((s) => s.jobId === job.id && s.lastLine !== null), { what: `job ${job.id} stuck, with its last line`, timeoutMs: 30_000, everyMs: 200 });
    expect(stuck).toMatchObject({ stuckAfterMs: 1000, lastLine: 'fetching page 3 of 9', lastLineNote: null });
    expect(stuck.silentMs).toBeGreaterThanOrEqual(1000);
    expect((await d.cli(['analyze'])).stdout).toContain('last line: "fetching page 3 of 9"');
  });

  it('refuses a bad --since with a usage error; the daemon keeps answering', async () => {
    d = await startTestDaemon();
    const bad = await d.cli(['analyze', '--since', 'yesterday']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since: "yesterday" is not a duration');
    expect((await report(['--since', '1h'])).headline.liveJobs).toBe(0);
  });
});

describe('procd stats', () => {
  it('counts jobs per state and raised flags, and the daemon uptime', async () => {
    d = await startTestDaemon();
    const job = await trackJob(d, ['--expect', '1s', '--', 'sleep', '60']);
    await trackJob(d, ['--', 'true']);
    const s = await waitFor(async () => {
      const r = await d!.cli(['stats', '--json']);
      expectExit(r, 0, 'stats --json');
      const now = parseJson<StatsReport>(r, 'stats --json');
      return now.flags.time_sink === 1 && now.states.completed === 1 ? now : null;
    }, { what: `job ${job.id} flagged a time sink and the other completed`, timeoutMs: 30_000, everyMs: 200 });
    expect(s.states).toMatchObject({ running: 1, completed: 1, failed: 0 });
    expect(s.uptimeMs).toBeGreaterThan(0);
    const human = await d.cli(['stats']);
    expect(human.stdout).toContain('jobs      running 1, completed 1');
    expect(human.stdout).toContain('flags     time_sink 1');
  });
});

describe('procd analyze over the history', () => {
  it('a command failing with EADDRINUSE three times is a common error with its port, a port conflict with the job holding it, and a recommendation to kill that job', async () => {
    d = await startTestDaemon();
    // The holder: a procd job listening on a port the system picks, which it prints.
    const holder = await trackJob(d, ['--name', 'holder', '--', process.execPath, '-e', "const s = require('net').createServer().listen(0, () => console.log('port ' + s.address().port))"]);
    const port = await waitFor(async () => /port (\d+)/.exec((await d!.cli(['logs', String(holder.id)])).stdout)?.[1], { what: 'the holder to print its port', timeoutMs: 30_000, everyMs: 100 });
    // The same server started again in the same directory: it fails as servers do, saying why.
    const server = `const s = require('net').createServer(); s.on('error', (e) => { console.error(e.message); process.exit(1); }); s.listen(${port});`;
    const failed: number[] = [];
    for (let i = 0; i < 3; i++) {
      const job = await trackJob(d, ['--name', 'again', '--', process.execPath, '-e', server]);
      expect((await waitForEnd(d, job.id, { timeoutMs: 30_000 })).state.kind).toBe('failed');
      failed.push(job.id);
    }
    // The history records a run once its end is read; wait for all three.
    const r = await waitFor(async () => {
      const now = await report();
      return now.commonErrors.find((e) => e.signature === 'EADDRINUSE')?.count === 3 ? now : null;
    }, { what: 'three EADDRINUSE runs in the report', timeoutMs: 30_000, everyMs: 200 });
    const error = r.commonErrors.find((e) => e.signature === 'EADDRINUSE')!;
    expect(error).toMatchObject({ detail: port, count: 3, example: `listen EADDRINUSE: address already in use :::${port}` });
    expect(error.runs.map((x) => x.jobId).sort()).toEqual([...failed].sort());
    expect(r.portConflicts.map((c) => [c.jobId, c.port, c.holders.map((h) => h.jobId)])).toEqual(failed.map((id) => [id, port, [holder.id]]));
    const rec = r.recommendations.find((x) => x.command === `procd kill ${holder.id}`);
    expect(rec).toMatchObject({ priority: 'high' });
    expect(rec!.evidence.jobIds).toContain(holder.id);
    const human = await d.cli(['analyze']);
    expect(human.stdout).toContain(`3× EADDRINUSE ${port}`);
    expect(human.stdout).toContain(`→ procd kill ${holder.id}`);
    // stats counts the same history.
    const stats = parseJson<StatsReport>(await d.cli(['stats', '--json']), 'stats --json');
    expect(stats.history).toMatchObject({ runs: 3, failures: 3, failureRate: 1 });
  });
});
