// GET /api/events of a real `procd dashboard`: a job started after the stream opened appears on
// it; Last-Event-ID resumes after a seq; heartbeats keep it open; and the same stream rides out a
// daemon restart, resuming after the last event it sent (no loss, no repeat).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { openSse, startDashboard, stopAllDashboards, type Dashboard, type SseReader } from './helpers/dashboard.js';
import { trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
let dash: Dashboard;
const streams: SseReader[] = [];

beforeAll(async () => {
  d = await startTestDaemon();
  dash = await startDashboard(d, [], { PROCD_DASHBOARD_HEARTBEAT_MS: '300', PROCD_DASHBOARD_MAX_STREAMS: '4' });
}, 60_000);

afterAll(async () => {
  for (const s of streams) s.close();
  await dash?.stop();
  await stopAllDashboards();
  await d?.cleanup();
});

async function stream(query = '', headers: Record<string, string> = {}): Promise<SseReader> {
  const s = await openSse(`${dash.base}/api/events${query}`, { Authorization: `Bearer ${dash.token}`, ...headers });
  streams.push(s);
  return s;
}

const ready = (s: SseReader) => waitFor(() => s.frames.find((f) => f.event === 'ready'), { what: 'the ready event' });
const seqs = (s: SseReader) => s.events().map((e) => e.seq);

describe('GET /api/events', () => {
  it('needs the token', async () => {
    const s = await openSse(`${dash.base}/api/events`, {});
    expect(s.status).toBe(401);
    s.close();
  });

  it('streams a job started after it opened, as text/event-stream with the security headers, and sends heartbeats', async () => {
    const s = await stream();
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(s.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    await ready(s);
    const job = await trackJob(d, ['--name', 'late', '--', 'sleep', '300']);
    const running = await waitFor(() => s.events().find((e) => e.kind === 'job.state' && e.job?.id === job.id && e.job.state === 'running'), { what: 'the late job running on the stream' });
    expect(running.job?.name).toBe('late');
    // Each frame's id is its seq (what Last-Event-ID sends back).
    for (const f of s.frames.filter((x) => x.event === 'message')) expect(Number(f.id)).toBe((JSON.parse(f.data) as { seq: number }).seq);
    await waitFor(() => s.comments.includes('heartbeat'), { what: 'a heartbeat comment' });
  });

  it('resumes after Last-Event-ID (and ?afterSeq=), replaying what came after it', async () => {
    const all = await stream('?afterSeq=0');
    await waitFor(() => all.events().length >= 3, { what: 'the replay of the first events' });
    const first = all.events()[0]!.seq;
    const resumed = await stream('?afterSeq=0', { 'Last-Event-ID': String(first) });
    await waitFor(() => resumed.events().length >= 2, { what: 'the resumed replay' });
    expect(resumed.events()[0]!.seq).toBe(first + 1);
    expect(resumed.frames.find((f) => f.event === 'ready')?.data).toContain(`"afterSeq":${first}`);
    const bad = await openSse(`${dash.base}/api/events?afterSeq=x`, { Authorization: `Bearer ${dash.token}` });
    expect(bad.status).toBe(400);
    bad.close();
  });

  it('takes a bounded number of streams at once (503 TooManyStreams beyond), and frees a slot when one closes', async () => {
    for (const old of streams.splice(0)) old.close();
    const open: SseReader[] = [];
    for (let i = 0; i < 4; i++) open.push(await stream());
    for (const s of open) await ready(s);
    const over = await openSse(`${dash.base}/api/events`, { Authorization: `Bearer ${dash.token}` });
    expect(over.status).toBe(503);
    over.close();
    open[0]!.close();
    const again = await waitFor(async () => {
      const s = await openSse(`${dash.base}/api/events`, { Authorization: `Bearer ${dash.token}` });
      if (s.status === 200) return s;
      s.close();
      return null;
    }, { what: 'a slot after closing a stream' });
    streams.push(again);
    for (const s of streams.splice(0)) s.close();
  });

  it('rides out a daemon restart: the same stream goes on after the last event it sent, without repeats', async () => {
    const s = await stream();
    await ready(s);
    const before = await trackJob(d, ['--name', 'before-restart', '--', 'sleep', '300']);
    await waitFor(() => s.events().find((e) => e.job?.id === before.id && e.job.state === 'running'), { what: 'the first job on the stream' });
    const r = await d.cli(['daemon', 'restart'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const after = await trackJob(d, ['--name', 'after-restart', '--', 'sleep', '300']);
    await waitFor(() => s.events().find((e) => e.job?.id === after.id && e.job.state === 'running'), { what: 'the job started after the restart on the same stream', timeoutMs: 40_000 });
    expect(s.closed()).toBe(false);
    // The daemon did go away under the stream (it announced its stop, keeping its jobs).
    expect(s.events().some((e) => e.kind === 'daemon.shutdown')).toBe(true);
    const got = seqs(s);
    expect(got).toEqual([...got].sort((a, b) => a - b));
    expect(new Set(got).size).toBe(got.length);
    // The API answers through the restarted daemon too.
    expect((await dash.req('GET', '/api/jobs/after-restart')).status).toBe(200);
  });
});
