// A reader that goes away before procd has written (`procd status 1 --tree | head -1`, `procd ls |
// head -0`) is not an error of procd's: the CLI ends quietly with 141 (a death by SIGPIPE, as
// `yes | head` gives) instead of crashing on an unhandled EPIPE with a stack trace.

import { spawn } from 'node:child_process';
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
