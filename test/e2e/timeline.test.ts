// A job's timeline with a real daemon: started, flagged, paused, resumed and killed show in that
// order in `procd status --timeline`, with who asked; the timeline survives a SIGKILL of the daemon.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../shared/methods.js';
import type { TimelineEntry } from '../../shared/timeline.js';
import { processGone, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, expectExit, parseJson, trackJob, waitForEnd, waitForFlag } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

async function timeline(id: number): Promise<TimelineEntry[]> {
  const job = parseJson<JobStatus>(await d!.cli(['status', String(id), '--timeline', '--json']), 'status --timeline');
  return job.timeline ?? [];
}

/** The entries' kinds with the requests named by their method, for an order check. */
const story = (entries: TimelineEntry[]) => entries.filter((e) => e.kind !== 'flag.changed').map((e) => (e.kind === 'request' ? `request ${e.detail.split(' ')[0]}` : e.kind));

describe('status --timeline', () => {
  it('shows a job started, flagged, paused, resumed, signalled and killed, in that order, with who asked', async () => {
    d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '200ms' } });
    const job = await trackJob(d, ['--name', 'tl', '--stuck-after', '1s', '--', 'sleep', '414001'], { code: 0 });
    await waitForFlag(d, job.id, 'stuck', { timeoutMs: 30_000 });
    expectExit(await d.cli(['pause', 'tl']), 0, 'pause');
    expectExit(await d.cli(['resume', 'tl']), 0, 'resume');
    expectExit(await d.cli(['signal', 'tl', 'CONT']), 0, 'signal');
    expectExit(await d.cli(['kill', 'tl']), 0, 'kill');
    await waitForEnd(d, job.id);
    // The flag is cleared when the job ends: wait for that entry too.
    const entries = await waitFor(async () => {
      const t = await timeline(job.id);
      return t.some((e) => e.kind === 'flag.cleared') ? t : null;
    }, { what: 'the stuck flag to be cleared on the timeline' });

    // The default alert rules alert on a flag raised: the alert is on the timeline too.
    expect(story(entries)).toEqual(['request tracked', 'started', 'flag.raised', 'alert', 'request pause', 'paused', 'request resume', 'resumed', 'request signal', 'request kill', 'stopping', 'ended', 'flag.cleared']);
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.at).toBeGreaterThanOrEqual(entries[i - 1]!.at);
    const kill = entries.find((e) => e.kind === 'request' && e.detail.startsWith('kill'));
    expect(kill?.by).toMatch(/^procd-cli\/\S+ pid \d+ \(kill\)$/);
    expect(entries.find((e) => e.kind === 'request' && e.detail === 'signal CONT')?.by).toMatch(/^procd-cli\/\S+ pid \d+ \(signal\)$/);
    expect(entries.find((e) => e.kind === 'flag.raised')?.detail).toMatch(/^flag stuck raised/);

    const human = await d.cli(['status', 'tl', '--timeline']);
    expectExit(human, 0, 'status --timeline');
    expect(human.stdout).toMatch(/timeline \(from the start at /);
    // Relative and absolute times on each line, in order.
    const lines = human.stdout.split('\n').filter((l) => /^[+-]\d/.test(l));
    expect(lines.map((l) => l.split(/\s{2,}/)[2])).toEqual(story(entries).map((s) => s.split(' ')[0]));
    expect(lines[1]).toMatch(/^\+0ms\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\s+started/);
    // Without --timeline, status stays as it was.
    expect(parseJson<JobStatus>(await d.cli(['status', 'tl', '--json']), 'status').timeline).toBeUndefined();
  }, 90_000);

  it('survives a SIGKILL of the daemon, and procd itself is named when it stops a job (timeout)', async () => {
    d = await startTestDaemon();
    const job = await trackJob(d, ['--name', 'survivor', '--timeout', '3s', '--', 'sleep', '414002'], { code: 0 });
    await waitFor(async () => ((await timeline(job.id)).some((e) => e.kind === 'started') ? true : null), { what: 'the start on the timeline' });
    const oldPid = (await daemonStatus(d)).pid;
    process.kill(oldPid, 'SIGKILL');
    await waitFor(() => processGone(oldPid), { what: 'the daemon to die' });

    // A new daemon (autostarted) re-adopts the job, keeps its timeline and adds the timeout stop.
    const ended = await waitForEnd(d, job.id, { timeoutMs: 60_000 });
    expect(ended.state.kind).toBe('timed_out');
    const entries = await waitFor(async () => {
      const t = await timeline(job.id);
      return t.some((e) => e.kind === 'ended') ? t : null;
    }, { what: 'the end on the timeline' });
    expect(story(entries)).toEqual(['request tracked', 'started', 'stopping', 'ended']);
    expect(entries.find((e) => e.kind === 'stopping')).toMatchObject({ by: 'procd', detail: expect.stringMatching(/^stopped by procd: timeout/) });
  }, 90_000);

  it('keeps what a queued job’s timeline said before its launch (its directory is not moved aside as stale)', async () => {
    d = await startTestDaemon();
    expectExit(await d.cli(['group', 'set', 'one', '--parallel', '1']), 0, 'group set');
    const first = await trackJob(d, ['--group', 'one', '--name', 'first', '--', 'sleep', '414003'], { code: 0 });
    const second = await trackJob(d, ['--group', 'one', '--name', 'second', '--', 'sleep', '414004'], { code: 0 });
    expect(second.state.kind).toBe('queued');
    expectExit(await d.cli(['kill', 'first']), 0, 'kill first');
    const entries = await waitFor(async () => {
      const t = await timeline(second.id);
      return t.some((e) => e.kind === 'started') ? t : null;
    }, { what: 'the queued job to start' });
    // Before the fix the launch renamed jobs/ID aside and these entries went with it.
    expect(entries.find((e) => e.kind === 'request' && e.detail.startsWith('queued'))).toBeDefined();
    expect(entries.find((e) => e.kind === 'request' && e.detail.startsWith('tracked'))).toBeDefined();
    expect(readdirSync(join(d.home, 'jobs')).filter((n) => n.includes('.stale-'))).toEqual([]);
    expectExit(await d.cli(['kill', String(second.id)]), 0, 'kill second');
  }, 90_000);
});
