// The lifecycle model on a real daemon: records from before `starting` and outcomes keep loading,
// a queued job survives a daemon restart and starts at its time, a shim that cannot run fails the
// job with the reason, and deadlines longer than Node's timer limit neither fire early nor at once.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/job.js';
import { FIXTURES, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

const json = <T>(text: string): T => JSON.parse(text) as T;

function readCmd(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
}

function writeState(home: string, jobs: unknown[], nextId: number): void {
  mkdirSync(join(home, 'jobs'), { recursive: true, mode: 0o700 });
  writeFileSync(join(home, 'state.json'), JSON.stringify({ format: 1, savedAt: Date.now(), journalSeq: 0, nextId, jobs }));
}

function queuedJob(home: string, id: number, name: string, at: number, argv: string[]): unknown {
  return {
    id,
    name,
    description: null,
    tags: [],
    createdAt: Date.now(),
    spec: { command: { kind: 'argv', argv }, cwd: '/', env: { PATH: process.env.PATH }, timeoutMs: null, expectMs: null, stuckAfterMs: 0, maxOutputBytes: 1 << 20 },
    state: { kind: 'queued', queuedAt: Date.now(), reason: { kind: 'not_before', at, detail: `not before ${new Date(at).toISOString()}` } },
    pendingKill: null,
    flags: [],
    flagHistory: [],
    resources: null,
    output: { stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null },
    dir: join(home, 'jobs', String(id)),
  };
}

describe('lifecycle model', () => {
  it('loads records written before starting/outcome existed: old `queued` is `starting`, every end gets its outcome', async () => {
    d = await startTestDaemon({ autostartOnly: true });
    const fixture = readFileSync(join(FIXTURES, 'state-before-lifecycle.json'), 'utf8').replaceAll('JOBS/', `${join(d.home, 'jobs')}/`);
    mkdirSync(join(d.home, 'jobs'), { recursive: true, mode: 0o700 });
    writeFileSync(join(d.home, 'state.json'), fixture);
    const ls = await d.cli(['ls', '--all', '--json']);
    expect(ls.code).toBe(0);
    const jobs = json<Job[]>(ls.stdout);
    const view = jobs.map((j) => `${j.name}:${j.state.kind}:${'outcome' in j.state ? j.state.outcome : '-'}`);
    // 'launching' was being started by its shim when that daemon stopped, and left no trace: it failed to start.
    expect(view).toEqual(['ok:completed:exit', 'nocmd:failed:spawn_error', 'stopped:killed:signal', 'gone:lost:vanished', 'launching:failed:spawn_error']);
    const launching = jobs[4]!;
    expect(launching.state.kind === 'failed' && launching.state.spawnError?.code).toBe('EINTR');
    const st = json<{ warnings: string[] }>((await d.cli(['daemon', 'status', '--json'])).stdout);
    expect(st.warnings.join('\n')).not.toMatch(/skipped/);
  });

  it('a queued job survives a daemon restart and starts at its time', async () => {
    d = await startTestDaemon({ autostartOnly: true });
    const home = d.home;
    const dueAt = Date.now() + 4000;
    writeState(home, [queuedJob(home, 1, 'later', Date.now() + 3_600_000, ['true']), queuedJob(home, 2, 'due', dueAt, ['sh', '-c', 'echo ran'])], 3);
    const first = json<Job[]>((await d.cli(['ls', '--json'])).stdout);
    expect(first[0]!.state.kind).toBe('queued');
    expect((await d.cli(['status', 'later'])).stdout).toMatch(/queued\s+.*not before/);
    expect((await d.cli(['daemon', 'restart'])).code).toBe(0);
    const later = json<Job>((await d.cli(['status', 'later', '--json'])).stdout);
    expect(later.state).toMatchObject({ kind: 'queued', reason: { kind: 'not_before' } });
    // The due one is launched by the new daemon when its time comes, and runs to its end.
    const w = await d.cli(['wait', 'due', '--json'], { timeoutMs: 30_000 });
    expect(w.code).toBe(0);
    const due = json<{ jobs: Job[] }>(w.stdout).jobs[0]!;
    expect(due.state).toMatchObject({ kind: 'completed', outcome: 'exit' });
    expect(due.state.kind === 'completed' && due.state.startedAt).toBeGreaterThanOrEqual(dueAt); // never before its time
    expect((await d.cli(['logs', 'due'])).stdout).toBe('ran\n');
    // Stopping a queued job cancels it: killed, outcome cancelled, no signal sent.
    const k = await d.cli(['kill', 'later', '--json']);
    expect(k.code).toBe(0);
    const cancelled = json<Job>((await d.cli(['status', 'later', '--json'])).stdout);
    expect(cancelled.state).toMatchObject({ kind: 'killed', outcome: 'cancelled', exitCode: null, signal: null });
  });

  it('daemon stop cancels queued jobs (restart and --keep-jobs keep them queued)', async () => {
    d = await startTestDaemon({ autostartOnly: true });
    writeState(d.home, [queuedJob(d.home, 1, 'later', Date.now() + 3_600_000, ['true'])], 2);
    expect(json<Job>((await d.cli(['status', 'later', '--json'])).stdout).state.kind).toBe('queued');
    expect((await d.cli(['daemon', 'stop', '--keep-jobs'])).code).toBe(0);
    expect(json<Job>((await d.cli(['status', 'later', '--json'])).stdout).state.kind).toBe('queued');
    expect((await d.cli(['daemon', 'stop'])).code).toBe(0);
    const after = json<Job>((await d.cli(['status', 'later', '--json'])).stdout);
    expect(after.state).toMatchObject({ kind: 'killed', outcome: 'cancelled', kill: { reason: 'shutdown', signalled: [] } });
  });

  it('kill and daemon stop act on a job whose shim is still launching it: stopped once it exists, nothing left behind', async () => {
    // A perl that takes a moment to start keeps the job in `starting` long enough to act on it.
    const slowPerl = join(mkdtempSync(join(tmpdir(), 'procd-slowperl-')), 'perl');
    writeFileSync(slowPerl, '#!/bin/sh\nsleep 1.5\nexec perl "$@"\n', { mode: 0o755 });
    // Each shim spawned by the daemon itself: a fork server would pay the slow start once, ahead of the jobs.
    d = await startTestDaemon({ env: { PROCD_PERL: slowPerl, PROCD_SHIM: 'perl', PROCD_FORK_SERVER: 'off' } });
    const daemon = d;
    // Before track's record exists, status answers JobNotFound (exit 1).
    const startingOf = async (name: string) => {
      const r = await daemon.cli(['status', name, '--json']);
      return r.code === 0 && json<Job>(r.stdout).state.kind === 'starting';
    };
    const first = daemon.cli(['track', '--name', 'a', '--', 'sleep', '4101']);
    await waitFor(() => startingOf('a'), { what: 'job a to be starting' });
    const k = await daemon.cli(['kill', 'a']);
    expect(k.code).toBe(0);
    await first;
    expect(json<Job>((await daemon.cli(['status', 'a', '--json'])).stdout).state).toMatchObject({ kind: 'killed', outcome: 'signal' });

    const second = daemon.cli(['track', '--name', 'b', '--', 'sleep', '4102']);
    await waitFor(() => startingOf('b'), { what: 'job b to be starting' });
    expect((await daemon.cli(['daemon', 'stop'])).code).toBe(0);
    await second;
    const b = json<Job>((await daemon.cli(['status', 'b', '--json'])).stdout);
    expect(b.state).toMatchObject({ kind: 'killed', kill: { reason: 'shutdown' } });
    expect(readdirSync('/proc').some((p) => /^\d+$/.test(p) && readCmd(p).startsWith('sleep\u00004102'))).toBe(false);
  });

  it('a shim that cannot run fails the job with the reason; wait does not hang', async () => {
    d = await startTestDaemon({ env: { PROCD_PERL: '/nonexistent/perl', PROCD_SHIM: 'perl' } });
    const t = await d.cli(['track', '--json', '--', 'true'], { timeoutMs: 30_000 });
    expect(t.code).toBe(1);
    const job = json<Job>(t.stdout);
    expect(job.state).toMatchObject({ kind: 'failed', outcome: 'spawn_error', spawnError: { code: 'ESHIM' } });
    expect(job.state.kind === 'failed' && job.state.spawnError?.message).toMatch(/\/nonexistent\/perl.*PROCD_PERL/);
    const w = await d.cli(['wait', String(job.id)], { timeoutMs: 30_000 });
    expect(w.code).toBe(1);
  });

  it('a 30-day --timeout does not fire early, and wait --timeout 30d waits for the end', async () => {
    d = await startTestDaemon();
    const long = json<Job>((await d.cli(['track', '--json', '--timeout', '30d', '--', 'sleep', '100'])).stdout);
    // A short timeout on a second job: once it has fired, timers have run, and the long one must still run.
    const short = json<Job>((await d.cli(['track', '--json', '--timeout', '300ms', '--', 'sleep', '100'])).stdout);
    const ended = await d.cli(['wait', String(short.id), '--json'], { timeoutMs: 30_000 });
    expect(json<{ jobs: Job[] }>(ended.stdout).jobs[0]!.state.kind).toBe('timed_out');
    expect(json<Job>((await d.cli(['status', String(long.id), '--json'])).stdout).state.kind).toBe('running');

    const quick = json<Job>((await d.cli(['track', '--json', '--shell', 'sleep 0.5; exit 3'])).stdout);
    const w = await d.cli(['wait', String(quick.id), '--timeout', '30d'], { timeoutMs: 30_000 });
    expect(w.code).toBe(3); // the job's own code, not 124 (a wait that gave up at once)
    expect((await d.cli(['kill', String(long.id)])).code).toBe(0);
  });
});
