// `track --wait` for a person at a terminal: the id first, a short end, Ctrl-C that says the job
// keeps running and how to stop it; `--follow` streams the job's own output while waiting.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, jobStatus, listJobs, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';
import { exited, GroupRuns, type GroupRun } from './helpers/group-runs.js';

let d: TestDaemon;
const runs = new GroupRuns();
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  runs.killAll();
  await d?.cleanup();
});

const start = (cmd: string, args: string[], stdin: 'ignore' | 'pipe' = 'ignore'): GroupRun => runs.start({ ...d.env, PROCD_CLI: CLI }, cmd, args, stdin);

describe('track --wait', () => {
  it('on a terminal: the id first, then one line for the end instead of the whole status block', async () => {
    // script(1) gives the CLI a real terminal (util-linux); -e passes the CLI's exit code on.
    const run = start('script', ['-qec', `node "$PROCD_CLI" track --wait --name w --shell 'echo hi; exit 3'`, '/dev/null']);
    expect(await exited(run, 'track --wait on a terminal')).toBe(3);
    const lines = run.stdout().replace(/\r/g, '').trimEnd().split('\n');
    expect(lines[0]).toMatch(/^procd track: job 1 \(w\) started(, pid \d+)?; waiting for it to end \(Ctrl-C stops waiting, not the job\)$/);
    expect(lines.at(-1)).toMatch(/^job 1 \(w\) failed, exit 3 after \S+; output: procd logs 1$/);
    expect(lines).toHaveLength(2);
  });

  it('Ctrl-C on a terminal stops waiting, says the job keeps running and how to stop it; the job runs on', async () => {
    // A real Ctrl-C: script(1) copies its stdin to the terminal, whose line discipline turns ^C into SIGINT.
    const run = start('script', ['-qec', `exec node "$PROCD_CLI" track --wait --name sleeper -- sleep 600`, '/dev/null'], 'pipe');
    // Waiting has begun once the id is announced (the handler is in place before that line).
    await waitFor(() => run.stdout().includes('waiting for it to end'), { what: 'track --wait to announce the job' });
    run.child.stdin!.write('\x03');
    expect(await exited(run, 'track --wait to stop waiting on Ctrl-C')).toBe(130);
    expect(run.stdout().replace(/\r/g, '')).toContain('procd track: job 1 keeps running (procd kill 1 to stop it)\n');
    expect((await jobStatus(d, 1)).state.kind).toBe('running');
  });

  it('--follow streams the job\'s stdout and stderr byte for byte while waiting, and exits with its code', async () => {
    const run = start(process.execPath, [CLI, 'track', '--follow', '--', 'sh', '-c', 'printf "a\\000b\\377\\n"; printf err >&2; exit 4']);
    expect(await exited(run, 'track --follow')).toBe(4);
    expect(run.stdoutBytes()).toEqual(Buffer.from([0x61, 0x00, 0x62, 0xff, 0x0a]));
    expect(run.stderr()).toBe('err');
  });

  it('--follow shows output while the job still runs', async () => {
    const run = start(process.execPath, [CLI, 'track', '--wait', '--follow', '--name', 'srv', '--', 'sh', '-c', 'echo listening; exec sleep 600']);
    await waitFor(() => run.stdout() === 'listening\n', { what: 'the first line through --follow' });
    const job = await jobStatus(d, 'srv');
    expect(job.state.kind).toBe('running');
    run.child.kill('SIGINT');
    expect(await exited(run, 'track --follow to stop on SIGINT')).toBe(130);
    expect(run.stderr()).toContain(`job ${job.id} keeps running (procd kill ${job.id} to stop it)`);
  });

  it('--follow ends when its reader does, and says the job keeps running', async () => {
    const run = start('bash', ['-c', 'node "$PROCD_CLI" track --follow --name srv -- sh -c "echo listening; exec sleep 600" | grep -m1 listening; echo "track=${PIPESTATUS[0]}"']);
    expect(await exited(run, 'the pipeline to end once grep found its match')).toBe(0);
    expect(run.stdout()).toBe('listening\ntrack=141\n');
    expect(run.stderr()).toBe('procd track: job 1 keeps running (procd kill 1 to stop it)\n');
    expect((await jobStatus(d, 1)).state.kind).toBe('running');
  });

  it('--follow with --json is a usage error, before anything starts', async () => {
    const r = await d.cli(['track', '--follow', '--json', '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--follow prints the job's own output/);
    expect(await listJobs(d, ['--all'])).toEqual([]);
  });
});

describe('wait', () => {
  it('Ctrl-C stops waiting, says the job keeps running and how to stop it (exit 130); the job runs on', async () => {
    const job = await trackJob(d, ['--name', 'long', '--', 'sleep', '600']);
    const run = start(process.execPath, [CLI, 'wait', 'long']);
    // Its connection is up (the handler is installed before it connects): now a SIGINT is a Ctrl-C while waiting.
    await waitFor(async () => (await daemonStatus(d)).connections >= 2, { what: 'procd wait to connect' });
    run.child.kill('SIGINT');
    expect(await exited(run, 'procd wait to stop on SIGINT')).toBe(130);
    expect(run.stderr()).toContain('procd wait: stopped waiting; job long keeps running (procd kill long to stop)');
    expect((await jobStatus(d, job.id)).state.kind).toBe('running');
  });
});
