// The daemon's policy for errors nothing caught (daemon/faults.ts): an unhandled rejection is
// logged and counted and the daemon keeps serving; an uncaught exception is logged at fatal level,
// the daemon exits with code 70 leaving its jobs running, and the next daemon re-adopts them and
// reports the crash. The faults are raised through a hook that only PROCD_TEST_FAULTS=1 enables.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonStatus } from '../../shared/methods.js';
import type { Job } from '../../shared/job.js';
import { CLI, pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | null = null;
let daemonProc: ChildProcess | null = null;
afterEach(async () => {
  daemonProc?.kill('SIGKILL');
  daemonProc = null;
  await d?.cleanup();
  d = null;
});

const json = async <T>(t: TestDaemon, args: string[]) => {
  // --json before a `--`, where the job's own arguments begin.
  const dash = args.indexOf('--');
  const r = await t.cli(dash < 0 ? [...args, '--json'] : [...args.slice(0, dash), '--json', ...args.slice(dash)]);
  if (r.code !== 0) throw new Error(`procd ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};
const logLines = (t: TestDaemon) =>
  readFileSync(t.paths.logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; msg: string; err?: { stack?: string } });

describe('errors nothing caught in the daemon', () => {
  it('an unhandled rejection is logged with its stack and counted; the daemon keeps serving. An uncaught exception ends it with code 70, its job keeps running, and the next daemon re-adopts it and reports the crash', async () => {
    const t = (d = await startTestDaemon({ autostartOnly: true, env: { PROCD_TEST_FAULTS: '1' } }));
    // `daemon run` as our child, so its exit code can be seen.
    const proc = (daemonProc = spawn(process.execPath, [CLI, 'daemon', 'run'], { env: t.env, stdio: ['ignore', 'ignore', 'pipe'] }));
    let stderr = '';
    proc.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    await waitFor(async () => (await t.cli(['daemon', 'status', '--no-autostart'])).code === 0, { what: 'the daemon to answer' });
    const job = await json<Job>(t, ['track', '--', 'sleep', '300']);
    const running = await waitFor(async () => {
      const j = await json<Job>(t, ['status', String(job.id)]);
      return j.state.kind === 'running' ? j : null;
    }, { what: 'the job to run' });
    const jobPid = (running.state as { pid: number }).pid;

    writeFileSync(join(t.home, 'test-fault'), 'rejection\n');
    process.kill(proc.pid!, 'SIGUSR2');
    const afterRejection = await waitFor(async () => {
      const s = await json<DaemonStatus>(t, ['daemon', 'status']);
      return s.faults.unhandledRejections === 1 ? s : null;
    }, { what: 'the rejection to be counted' });
    expect(afterRejection.pid).toBe(proc.pid);
    expect(afterRejection.faults.lastRejection?.message).toBe('Error: test fault: unhandled rejection');
    expect((await t.cli(['daemon', 'status'])).stdout).toMatch(/faults +1 unhandled rejection\(s\), last at .*: Error: test fault: unhandled rejection/);
    const rejected = await waitFor(() => logLines(t).find((l) => l.msg.startsWith('unhandled rejection')), { what: 'the rejection in the log' });
    expect(rejected.level).toBe(50);
    expect(rejected.err?.stack).toContain('test fault: unhandled rejection');

    writeFileSync(join(t.home, 'test-fault'), 'exception\n');
    process.kill(proc.pid!, 'SIGUSR2');
    expect(await exited).toBe(70);
    const fatal = logLines(t).find((l) => l.level === 60);
    expect(fatal?.msg).toMatch(/^uncaught exception: the daemon exits \(code 70\)/);
    expect(fatal?.err?.stack).toContain('test fault: uncaught exception');
    expect(stderr).toContain('test fault: uncaught exception');
    expect(existsSync(join(t.home, 'crash.json'))).toBe(true);
    expect(pidAlive(jobPid)).toBe(true); // the shim keeps the job

    // The next daemon (autostarted by the CLI) re-adopts the job and reports the crash once.
    const again = await json<Job>(t, ['status', String(job.id)]);
    expect(again.state).toMatchObject({ kind: 'running', pid: jobPid });
    const s = await json<DaemonStatus>(t, ['daemon', 'status']);
    expect(s.pid).not.toBe(proc.pid);
    expect(s.faults).toMatchObject({ unhandledRejections: 0, lastRejection: null, previousCrash: { pid: proc.pid, message: 'Error: test fault: uncaught exception' } });
    expect(existsSync(join(t.home, 'crash.json'))).toBe(false);
    expect((await t.cli(['daemon', 'status'])).stdout).toMatch(/crash +the previous daemon \(pid \d+\) ended on an uncaught exception at .*: Error: test fault: uncaught exception/);
  });

});
