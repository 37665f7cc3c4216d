// The library rides out daemon restarts with `connect({ reconnect: true })`, as the CLI does:
// a wait in flight keeps waiting, a subscription resumes after the last event it saw (getting
// what was published while no daemon could reach it), and other calls are never sent twice.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, ErrorCode, ProcdError, type ConnectOptions, type ProcdClient, type ProcdEvent } from '../../client/index.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, jobStatus } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
const clients: ProcdClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await d?.cleanup();
  d = undefined;
});

async function client(opts: ConnectOptions = {}): Promise<ProcdClient> {
  const c = await connect({ paths: d!.paths, autostart: false, ...opts });
  clients.push(c);
  return c;
}
/** A job that runs until `gate` exists, then exits with `code`. */
const gated = (gate: string, code: number) => ['sh', '-c', `while [ ! -e '${gate}' ]; do sleep 0.05; done; exit ${code}`];
/** Until `n` clients are connected besides the status call itself. */
const connected = (n: number) => waitFor(async () => (await daemonStatus(d!)).connections >= n + 1, { what: `${n} client(s) connected` });

describe('library reconnects', () => {
  it('a wait() in flight rides out `procd daemon restart` with reconnect: true (and rejects without it)', async () => {
    d = await startTestDaemon();
    const gate = join(d.home, 'gate');
    const plain = await client();
    const riding = await client({ reconnect: true });
    const job = await riding.track({ argv: gated(gate, 4), name: 'rw' });
    const without = plain.wait({ jobs: [job.id] }).then(
      () => 'resolved',
      (err: unknown) => err,
    );
    const waiting = riding.wait({ jobs: ['rw'], timeoutMs: 120_000 });
    await connected(2);
    const oldPid = riding.daemon.pid;
    expect((await d.cli(['daemon', 'restart'])).code).toBe(0);
    writeFileSync(gate, '');
    const r = await waiting;
    expect(r.timedOut).toBe(false);
    expect(r.jobs[0]!.state).toMatchObject({ kind: 'failed', exitCode: 4 });
    expect(riding.daemon.pid).not.toBe(oldPid);
    const err = await without;
    expect(err).toBeInstanceOf(ProcdError);
    expect((err as ProcdError).code).toBe(ErrorCode.DaemonUnavailable);
  });

  it('a subscription resumes after a SIGKILL with the events published while no daemon could reach it, each once, in order', async () => {
    d = await startTestDaemon();
    const gate = join(d.home, 'gate');
    const c = await client({ reconnect: { attempts: 40, maxDelayMs: 500 } });
    const events: ProcdEvent[] = [];
    c.onEvent((e) => events.push(e));
    await c.subscribe({});
    const job = await c.track({ argv: gated(gate, 0), name: 'away' });
    await waitFor(() => events.some((e) => e.kind === 'job.started'), { what: 'job.started' });
    const seenBefore = events.length;

    process.kill(c.daemon.pid, 'SIGKILL');
    // The job ends while no daemon runs; the next daemon learns it before it listens, so only a
    // replay can bring the event to this subscriber.
    writeFileSync(gate, '');
    await waitFor(async () => (await d!.cli(['status', 'away', '--json', '--no-autostart'])).code !== 0, { what: 'the daemon to be gone' });
    expect((await d.cli(['daemon', 'start'])).code).toBe(0);

    await waitFor(() => events.some((e) => e.kind === 'job.state' && e.to === 'completed'), { what: 'the replayed end of the job' });
    const mine = events.filter((e) => 'job' in e && e.job.id === job.id).map((e) => (e.kind === 'job.state' ? e.to : e.kind));
    expect(mine).toEqual(['starting', 'job.started', 'running', 'completed']);
    for (let i = 1; i < events.length; i++) expect(events[i]!.seq).toBeGreaterThan(events[i - 1]!.seq);
    expect(events.slice(seenBefore).some((e) => e.kind === 'subscription.gap')).toBe(false);
    // and it keeps receiving live events on the new connection
    const next = await c.track({ argv: ['true'], name: 'after' });
    await waitFor(() => events.some((e) => e.kind === 'job.state' && e.job.id === next.id && e.to === 'completed'), { what: 'a live event after the resume' });
  });

  it('a call that is not idempotent is sent on a new connection after an idle restart; one under way when the daemon dies is not sent again', async () => {
    d = await startTestDaemon();
    const c = await client({ reconnect: true });
    let closedEarly = false;
    c.onClose(() => (closedEarly = true));
    const oldPid = c.daemon.pid;
    expect((await d.cli(['daemon', 'restart'])).code).toBe(0);
    const job = await c.track({ argv: ['true'], name: 'fresh' });
    expect(c.daemon.pid).not.toBe(oldPid);
    expect((await c.list({ name: 'fresh' })).map((j) => j.id)).toEqual([job.id]);
    expect(closedEarly).toBe(false);

    // A kill waiting out a long grace (the job ignores SIGTERM) when the daemon is SIGKILLed:
    // it may have been carried out, so it fails, saying so, instead of being sent again.
    const stubborn = await c.track({ argv: ['sh', '-c', 'trap "" TERM; while :; do sleep 0.05; done'], name: 'stubborn' });
    const killing = c.kill({ jobs: [stubborn.id], graceMs: 120_000 }).then(
      () => null,
      (err: unknown) => err,
    );
    await waitFor(async () => (await jobStatus(d!, 'stubborn')).pendingKill !== null, { what: 'the kill to be under way' });
    process.kill(c.daemon.pid, 'SIGKILL');
    const err = await killing;
    expect(err).toBeInstanceOf(ProcdError);
    expect((err as ProcdError).code).toBe(ErrorCode.DaemonUnavailable);
    expect((err as ProcdError).data).toMatchObject({ method: 'kill', inFlight: true });
    expect((err as ProcdError).message).toMatch(/may or may not have been carried out/);
  });

  it("a subscription filtered to some kinds still ends at `procd daemon stop` (it hears the shutdown its caller did not ask for, and is not shown it): the stopped daemon is not started again", async () => {
    d = await startTestDaemon();
    // Allowed to autostart, as the MCP server and the dashboard are: only the shutdown notice tells a stop from a crash.
    const c = await client({ reconnect: true, autostart: true });
    const seen: string[] = [];
    c.onEvent((e) => seen.push(e.kind));
    let closed = false;
    let closeError: Error | null = null;
    c.onClose((err) => {
      closed = true;
      closeError = err;
    });
    await c.subscribe({ kinds: ['job.state'] });
    const stopped = await d.cli(['daemon', 'stop']);
    expect(stopped.code, stopped.stderr).toBe(0);
    await waitFor(() => closed, { what: 'the subscribed client to close after the stop', timeoutMs: 30_000 });
    // Closed because the daemon said it stopped, not because a resume (an autostart) failed.
    expect(closeError).toBeNull();
    expect(seen).not.toContain('daemon.shutdown');
    expect((await d.cli(['daemon', 'status'])).code).toBe(1);
  });
});
