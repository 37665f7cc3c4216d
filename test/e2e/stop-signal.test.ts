// Stop signal and grace per job (`track --stop-signal SIG --grace D`): `procd kill` sends the
// job's own signal (the job prints which one it got), `kill --signal` still overrides, a job that
// ignores its stop signal is SIGKILLed after its own grace (the daemon's is 30 s here), `track
// --replace` and `daemon stop` use the stopped job's signal, and an unknown signal is refused with
// a code while the daemon keeps running.

import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wasStopped } from '../../shared/job.js';
import type { KillOutcome } from '../../shared/methods.js';
import { FIXTURES, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobLogs, jobStatus, listJobs, parseJson, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const RECORDER = join(FIXTURES, 'record-signal.mjs');

let d: TestDaemon;
beforeEach(async () => {
  // A daemon grace far longer than the jobs' own, so "SIGKILL after the job's grace" is told apart from the default.
  d = await startTestDaemon({ env: { PROCD_GRACE: '30s' } });
});
afterEach(async () => {
  await d?.cleanup();
});

/** Starts the recorder with these track options and waits until its handlers are set. */
async function recorder(options: string[], args: string[] = []): Promise<number> {
  const job = await trackJob(d, [...options, '--', process.execPath, RECORDER, ...args]);
  await waitFor(async () => (await jobLogs(d, job.id)).includes('ready\n') || null, { what: `job ${job.id} to be ready`, timeoutMs: 30_000 });
  return job.id;
}

async function kill(args: string[]): Promise<KillOutcome[]> {
  const r = await d.cli(['kill', '--json', ...args]);
  expectExit(r, 0, `kill --json ${args.join(' ')}`);
  return parseJson<KillOutcome[]>(r, 'kill');
}

describe('track --stop-signal / --grace', () => {
  it('procd kill sends the job its own stop signal; kill --signal overrides it', async () => {
    const own = await recorder(['--stop-signal', 'INT']);
    const overridden = await recorder(['--stop-signal', 'INT']);
    const [a] = await kill([String(own)]);
    const [b] = await kill([String(overridden), '--signal', 'TERM']);
    expect(a).toMatchObject({ ok: true, id: own, signal: 'SIGINT' });
    expect(b).toMatchObject({ ok: true, id: overridden, signal: 'SIGTERM' });
    expect(await jobLogs(d, own)).toBe('ready\ngot SIGINT\n');
    expect(await jobLogs(d, overridden)).toBe('ready\ngot SIGTERM\n');
    const job = await waitForEnd(d, own);
    expect(job.spec).toMatchObject({ stopSignal: 'SIGINT', stopGraceMs: null });
    expect(job.state).toMatchObject({ kind: 'killed', outcome: 'signal', kill: { reason: 'user', signal: 'SIGINT', graceMs: 30_000, forced: [] } });
  });

  it('SIGKILLs a job that ignores its stop signal after its own grace, not the daemon default', async () => {
    const id = await recorder(['--stop-signal', 'HUP', '--grace', '1s'], ['--ignore']);
    const [r] = await kill([String(id)]);
    expect(r).toMatchObject({ ok: true, signal: 'SIGHUP' });
    const job = await waitForEnd(d, id);
    expect(await jobLogs(d, id)).toBe('ready\ngot SIGHUP\n');
    if (!wasStopped(job.state) || !job.state.kill) throw new Error(`job ${id} was not stopped by procd: ${JSON.stringify(job.state)}`);
    expect(job.state).toMatchObject({ kind: 'killed', forced: true, signal: { name: 'SIGKILL' } });
    expect(job.state.kill).toMatchObject({ signal: 'SIGHUP', graceMs: 1000 });
    expect(job.state.kill.forced.length).toBeGreaterThan(0);
    // About the grace: not before it, and far sooner than the daemon's 30 s (generous on a busy machine).
    const took = job.state.endedAt - job.state.kill.requestedAt;
    expect(took).toBeGreaterThanOrEqual(1000);
    expect(took).toBeLessThan(20_000);
  });

  it('track --replace stops the live job with its stop signal', async () => {
    const old = await recorder(['--name', 'web', '--stop-signal', 'USR1']);
    const next = await trackJob(d, ['--name', 'web', '--replace', '--', 'sleep', '1000']);
    expect(next.id).not.toBe(old);
    expect(await jobLogs(d, old)).toBe('ready\ngot SIGUSR1\n');
    expect((await jobStatus(d, old)).state).toMatchObject({ kind: 'killed', kill: { reason: 'user', signal: 'SIGUSR1' } });
  });

  it('daemon stop stops each job with its own stop signal', async () => {
    const id = await recorder(['--stop-signal', 'INT']);
    const plain = await recorder([]);
    expectExit(await d.cli(['daemon', 'stop']), 0, 'daemon stop');
    // The next daemon (autostarted) reads what the last one recorded.
    expect(await jobLogs(d, id)).toBe('ready\ngot SIGINT\n');
    expect(await jobLogs(d, plain)).toBe('ready\ngot SIGTERM\n');
    expect((await jobStatus(d, id)).state).toMatchObject({ kind: 'killed', kill: { reason: 'shutdown', signal: 'SIGINT' } });
  });

  it('refuses an unknown stop signal with BadSignal (exit 2), starts nothing, and keeps running', async () => {
    const r = await d.cli(['track', '--json', '--stop-signal', 'NOPE', '--', 'sleep', '1000']);
    expect(r.code).toBe(2);
    expect(parseJson<{ error: { name: string; code: number; message: string } }>(r, 'track').error).toMatchObject({ name: 'BadSignal', code: -32003, message: expect.stringContaining('unknown stop signal: NOPE') });
    const grace = await d.cli(['track', '--grace', '6m', '--', 'sleep', '1000']);
    expect(grace.code).toBe(2);
    expect(grace.stderr).toContain('--grace: "6m" is too long: at most 5m');
    expect(await listJobs(d)).toEqual([]);
  });
});
