// Events outlive the daemon: `seq` keeps growing across `procd daemon restart` and a SIGKILL
// (never reusing a number a subscriber may have seen, samples included), the lifecycle events
// are kept on disk, and `subscribe({ afterSeq })` replays what a subscriber missed.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type ProcdClient, type ProcdEvent } from '../../client/index.js';
import { CLI, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
const clients: ProcdClient[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await d?.cleanup();
  d = undefined;
});

/** A client that is not reconnecting: it sees one daemon only. */
async function listen(filter: Parameters<ProcdClient['subscribe']>[0] = {}) {
  const c = await connect({ paths: d!.paths, autostart: false });
  clients.push(c);
  const events: ProcdEvent[] = [];
  c.onEvent((e) => events.push(e));
  const sub = await c.subscribe(filter);
  return { c, events, sub };
}

const ended = (events: ProcdEvent[], id: number) => events.some((e) => e.kind === 'job.state' && e.job.id === id && e.state.kind === 'completed');
const story = (events: ProcdEvent[]) => events.map((e) => (e.kind === 'job.state' ? `${e.job.name}:${e.to}` : 'job' in e ? `${e.job.name}:${e.kind}` : e.kind));

describe('events across daemon restarts', () => {
  it('seq keeps increasing after a SIGKILL, past every number a subscriber saw (samples included)', async () => {
    d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '100ms' } });
    await trackJob(d, ['--name', 'sampled', '--', 'sleep', '1061']);
    const before = await listen({ samples: true });
    await waitFor(() => before.events.filter((e) => e.kind === 'sample').length >= 5, { what: 'five samples' });
    const seen = Math.max(...before.events.map((e) => e.seq));

    process.kill(before.c.daemon.pid, 'SIGKILL');
    expect((await d.cli(['daemon', 'start'])).code).toBe(0);
    const after = await listen();
    expect(after.sub.seq).toBeGreaterThanOrEqual(seen);
    const job = await trackJob(d, ['--name', 'next', '--', 'true']);
    await waitFor(() => ended(after.events, job.id), { what: 'the new job to complete' });
    for (const e of after.events) expect(e.seq).toBeGreaterThan(seen);
    expect((await daemonStatus(d)).events.seq).toBeGreaterThan(seen);
  });

  it('subscribe({ afterSeq }) replays, in order and once, what a subscriber missed over `procd daemon restart`, without samples', async () => {
    d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '100ms' } });
    const first = await listen();
    const a = await trackJob(d, ['--name', 'a', '--', 'true']);
    await waitFor(() => ended(first.events, a.id), { what: 'job a to complete' });
    const last = first.events.at(-1)!.seq;
    first.c.close();

    // Missed: job b's whole life, samples of a running job, the shutdown.
    const b = await trackJob(d, ['--name', 'b', '--', 'true']);
    await trackJob(d, ['--name', 'c', '--', 'sleep', '1062']);
    const sampler = await listen({ samples: true }); // samples are numbered only while someone asks for them
    await waitFor(() => sampler.events.some((e) => e.kind === 'sample'), { what: 'a sample' });
    await waitFor(async () => (await d!.cli(['status', String(b.id), '--json'])).stdout.includes('"completed"'), { what: 'job b to complete' });
    expect((await d.cli(['daemon', 'restart'])).code).toBe(0);

    const resumed = await listen({ afterSeq: last });
    const replayed = resumed.events.filter((e) => e.seq <= resumed.sub.seq);
    expect(story(replayed)).toEqual(['b:starting', 'b:job.started', 'b:running', 'b:completed', 'c:starting', 'c:job.started', 'c:running', 'daemon.shutdown']);
    expect(replayed[0]!.seq).toBeGreaterThan(last);
    for (let i = 1; i < replayed.length; i++) expect(replayed[i]!.seq).toBeGreaterThan(replayed[i - 1]!.seq);
    expect(resumed.events.some((e) => e.kind === 'sample' || e.kind === 'subscription.gap')).toBe(false);

    // A clean restart skips no number: the next event follows the last one the old daemon used.
    const lastOld = Math.max(...sampler.events.map((e) => e.seq));
    expect(resumed.sub.seq).toBe(lastOld);
    const e = await trackJob(d, ['--name', 'e', '--', 'true']);
    await waitFor(() => ended(resumed.events, e.id), { what: 'job e to complete' });
    expect(resumed.events.find((x) => 'job' in x && x.job.id === e.id)!.seq).toBe(lastOld + 1);

    // the CLI resumes the same way: procd events --after SEQ
    const cli = spawn(process.execPath, [CLI, 'events', '--json', '--after', String(last), '--kind', 'job.state'], { env: d.env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(cli);
    let text = '';
    cli.stdout!.setEncoding('utf8').on('data', (t: string) => (text += t));
    const lines = await waitFor(() => {
      const l = text.split('\n').filter(Boolean).map((x) => JSON.parse(x) as ProcdEvent);
      return l.some((x) => 'job' in x && x.job.id === e.id && x.kind === 'job.state' && x.to === 'completed') && l;
    }, { what: 'procd events --after to print the replayed events' });
    expect(story(lines)).toEqual(['b:starting', 'b:running', 'b:completed', 'c:starting', 'c:running', 'e:starting', 'e:running', 'e:completed']);
  });

  it('afterSeq beyond anything this home published gets one gap event (reset) to reload from', async () => {
    d = await startTestDaemon();
    const { events, sub } = await listen({ afterSeq: 5000 });
    expect(sub.seq).toBe(0);
    expect(events).toEqual([expect.objectContaining({ kind: 'subscription.gap', from: 1, to: 0, reason: 'reset', seq: 0 })]);
  });
});
