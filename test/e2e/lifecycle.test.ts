// A job's life through the CLI against a real daemon: each terminal state and how it is reported.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcdEvent } from '../../shared/events.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { jobStatus, listJobs, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  await d?.cleanup();
});

const track = (args: string[]) => trackJob(d, args);
const status = (id: number) => jobStatus(d, id);
const ended = (id: number) => waitForEnd(d, id);

describe('job lifecycle', () => {
  it('track → running → completed with exit 0', async () => {
    const job = await track(['--name', 'quick', '--', 'sh', '-c', 'sleep 0.3; exit 0']);
    expect(job.state.kind).toBe('running');
    expect(job.state.kind === 'running' && job.state.pid).toBeGreaterThan(0);
    const done = await ended(job.id);
    expect(done.state).toMatchObject({ kind: 'completed', exitCode: 0, signal: null });
    expect(done.state.kind === 'completed' && done.state.durationMs).toBeGreaterThanOrEqual(250);
  });

  it('exit 3 → failed with 3, and `wait` exits with 3', async () => {
    const job = await track(['--', 'sh', '-c', 'sleep 0.2; exit 3']);
    const w = await d.cli(['wait', String(job.id)]);
    expect(w.code).toBe(3);
    expect((await status(job.id)).state).toMatchObject({ kind: 'failed', exitCode: 3, signal: null, spawnError: null });
  });

  it('a SIGSEGV from outside → killed with SIGSEGV and 139', async () => {
    const job = await track(['--', 'sleep', '1000']);
    if (job.state.kind !== 'running') throw new Error('not running');
    process.kill(job.state.pid, 'SIGSEGV');
    const done = await ended(job.id);
    expect(done.state).toMatchObject({ kind: 'killed', exitCode: 139, signal: { name: 'SIGSEGV', number: 11 }, kill: null });
    const ls = await d.cli(['ls', '--all']);
    expect(ls.stdout).toMatch(/SIGSEGV\(139\)/);
  });

  it('a missing command → failed with ENOENT and a clear message, exit 127', async () => {
    const r = await d.cli(['track', '--', 'no-such-command-procd-test']);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/failed to start: ENOENT/);
    expect(r.stderr).toMatch(/no-such-command-procd-test/);
    const job = await status(1);
    expect(job.state).toMatchObject({ kind: 'failed', exitCode: null, signal: null, spawnError: { code: 'ENOENT' } });
  });

  it('a bad cwd → failed with a message naming the directory', async () => {
    const job = await track(['--cwd', '/nonexistent/procd-dir', '--', 'true']);
    expect(job.state.kind).toBe('failed');
    if (job.state.kind !== 'failed') throw new Error('unreachable: checked above');
    expect(job.state.spawnError).toMatchObject({ code: 'ENOENT', step: 'chdir' });
    expect(job.state.spawnError?.message).toMatch(/\/nonexistent\/procd-dir/);
    // 127 means "command not found": a missing directory is an ordinary error
    const r = await d.cli(['track', '--wait', '--cwd', '/nonexistent/procd-dir', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot change directory/);
  });

  it('a non-executable file → failed with EACCES, exit 126', async () => {
    const file = join(d.home, 'not-executable');
    writeFileSync(file, 'echo hi\n', { mode: 0o644 });
    const r = await d.cli(['track', '--', file]);
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/EACCES/);
  });

  it('a directory as the command → "it is a directory" (EISDIR), exit 126 as in a shell', async () => {
    const r = await d.cli(['track', '--wait', '--', d.home]);
    expect(r.code).toBe(126);
    expect(r.stderr).toContain(`EISDIR: cannot execute '${d.home}': it is a directory`);
    expect(r.stderr).not.toMatch(/Permission denied/);
  });

  it('a timeout is announced (job.stopping) while the job is still being stopped', async () => {
    const c = await d.client();
    const events: ProcdEvent[] = [];
    c.onNotification((method, params) => {
      if (method === 'event') events.push(params as ProcdEvent);
    });
    await c.subscribe({ kinds: ['job.stopping', 'job.state'] });
    // ignores SIGTERM: the stop takes the whole grace period
    const job = await c.track({ argv: ['sh', '-c', 'trap "" TERM; sleep 100 & wait; sleep 100'], cwd: '/', timeoutMs: 300 });
    const stopping = await waitFor(() => events.find((e) => e.kind === 'job.stopping'), { what: 'job.stopping' });
    expect(stopping).toMatchObject({ job: { id: job.id, state: 'running' }, kill: { reason: 'timeout', signal: 'SIGTERM' } });
    expect((await c.status({ job: job.id })).pendingKill).toMatchObject({ reason: 'timeout' });
    const end = await waitFor(() => events.find((e) => e.kind === 'job.state' && e.to === 'timed_out'), { what: 'the end' });
    expect(end.seq).toBeGreaterThan(stopping.seq);
  });

  it('--timeout → timed_out, killed by the daemon', async () => {
    const job = await track(['--timeout', '300ms', '--', 'sleep', '1000']);
    const done = await ended(job.id);
    expect(done.state).toMatchObject({ kind: 'timed_out', signal: { name: 'SIGTERM' }, exitCode: 143, forced: false, kill: { reason: 'timeout' } });
    expect(done.state.kind === 'timed_out' && done.state.durationMs).toBeGreaterThanOrEqual(250);
  });

  it('--shell runs a shell string and --wait exits with its code', async () => {
    const r = await d.cli(['track', '--wait', '--shell', 'echo hi && exit 5']);
    expect(r.code).toBe(5);
    const logs = await d.cli(['logs', '1']);
    expect(logs.stdout).toBe('hi\n');
  });

  it('stdin is /dev/null: a job reading stdin sees EOF at once', async () => {
    const r = await d.cli(['track', '--wait', '--timeout', '20s', '--shell', 'cat; echo "eof $?"; readlink /proc/self/fd/0']);
    expect(r.code).toBe(0);
    expect((await d.cli(['logs', '1'])).stdout).toBe('eof 0\n/dev/null\n');
  });

  it('the job runs in its own session and process group', async () => {
    const job = await track(['--', 'sleep', '100']);
    const pid = job.state.kind === 'running' ? job.state.pid : -1;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    expect(Number(fields[2])).toBe(pid); // pgid
    expect(Number(fields[3])).toBe(pid); // session
  });

  it('the job gets the client environment plus --env, and its marker', async () => {
    const r = await d.cli(['track', '--wait', '--env', 'PROCD_T=yes', '--', 'sh', '-c', 'echo "$PROCD_T $PROCD_JOB_ID $FROM_CLIENT"'], {
      env: { FROM_CLIENT: 'client-env' },
    });
    expect(r.code).toBe(0);
    expect((await d.cli(['logs', '1'])).stdout).toBe('yes 1 client-env\n');
  });

  it('ls filters and prints a table; status by name picks the latest job', async () => {
    await track(['--name', 'same', '--tag', 'a', '--', 'true']);
    // A live name is unique: the second job of this name starts once the first has ended.
    await ended(1);
    const second = await track(['--name', 'same', '--', 'sleep', '100']);
    const s = await jobStatus(d, 'same');
    expect(s.id).toBe(second.id);
    const running = await listJobs(d, ['--state', 'running']);
    expect(running.map((j) => j.id)).toEqual([second.id]);
    const tagged = await listJobs(d, ['--tag', 'a']);
    expect(tagged.map((j) => j.id)).toEqual([1]);
    const table = await d.cli(['ls']);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+NAME\s+STATE\s+PID\s+TIME\s+EXIT\s+CPU\s+MEM(\s+FLAGS)?\s+COMMAND/);
    expect(table.stdout).toMatch(/sleep 100/);
  });

  it('usage errors exit 2 and say what is wrong; unknown jobs exit 1', async () => {
    const bad = await d.cli(['track', '--timeout', 'soon', '--', 'true']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--timeout: "soon" is not a duration/);
    const missing = await d.cli(['status', '999']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no job with id 999.*JobNotFound/);
  });

  it('rm refuses a running job without --force and removes finished ones with their output', async () => {
    const job = await track(['--', 'sleep', '100']);
    const refused = await d.cli(['rm', String(job.id)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is running; stop it first or use --force/);
    const forced = await d.cli(['rm', '--force', String(job.id)]);
    expect(forced.code).toBe(0);
    expect((await d.cli(['status', String(job.id)])).code).toBe(1);
    await track(['--', 'true']);
    await ended(2);
    const pruned = await d.cli(['prune', '--json']);
    expect(JSON.parse(pruned.stdout)).toMatchObject({ dryRun: false, removed: [2] });
  });
});
