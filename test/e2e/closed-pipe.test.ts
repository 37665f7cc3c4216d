// A reader that goes away before procd has written (`procd status 1 --tree | head -1`, `procd ls |
// head -0`) is not an error of procd's: the CLI ends quietly with 141 (a death by SIGPIPE, as
// `yes | head` gives) instead of crashing on an unhandled EPIPE with a stack trace.

import { spawn } from 'node:child_process';
import type { JobSummary } from '../../shared/job.js';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { trackJob } from './helpers/jobs.js';

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.cleanup();
  d = null;
});

/** Runs the CLI with its stdout a pipe whose reading end we close at once: every write fails with EPIPE. */
function runWithClosedReader(t: TestDaemon, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => (stderr += s));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a reader that went away', () => {
  it.each([['status', '1', '--tree'], ['ls', '--all'], ['daemon', 'status']])('procd %s … ends with 141 and no stack trace', async (...args: string[]) => {
    d ??= await startTestDaemon();
    if (args[0] === 'status') await trackJob(d, ['--shell', 'sleep 300 & sleep 300 & wait']);
    const r = await runWithClosedReader(d, args);
    expect(r.stderr).not.toMatch(/Error|at .*\.js/);
    expect(r.code).toBe(141);
  });
});

describe('a reader slower than procd', () => {
  // The hot commands exit as soon as their output is out (client/cli/main.ts): into a pipe that is
  // full and non-blocking, "out" means handed to the kernel, however long the reader takes.
  it('procd ls --all --json into a full non-blocking pipe prints every job, then exits 0', async () => {
    d ??= await startTestDaemon();
    const c = await d.client();
    const jobs = await Promise.all(Array.from({ length: 250 }, (_, i) => c.track({ argv: ['true', `${i}`.padEnd(4000, '.')], cwd: '/' })));
    await c.wait({ jobs: jobs.map((j) => j.id) });
    const perl = ['-MFcntl', '-e', 'fcntl(STDOUT, F_SETFL, fcntl(STDOUT, F_GETFL, 0) | O_NONBLOCK) or die; exec @ARGV or die', process.execPath, CLI, 'ls', '--all', '--json'];
    const child = spawn('perl', perl, { env: d.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    // Read slowly: one chunk, then the next only after a turn of our loop, so the pipe stays full.
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      child.stdout.pause();
      setImmediate(() => child.stdout.resume());
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const text = Buffer.concat(out).toString();
    expect(text.length).toBeGreaterThan(1024 * 1024); // far more than a pipe holds
    const listed = JSON.parse(text) as JobSummary[];
    expect(listed.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
  });
});
