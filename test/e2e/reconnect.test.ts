// Commands that block while a job runs (wait, track --wait, logs --follow) outlive the daemon:
// through `procd daemon restart` or a SIGKILL they reconnect and carry on, with the job's own
// exit code and not a byte of output lost or repeated.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { jobStatus, parseJson } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  await d?.cleanup();
});

const daemonStatus = async (extra: string[] = []) => parseJson<{ pid?: number; connections?: number; running?: boolean }>(await d.cli(['daemon', 'status', '--json', ...extra]), 'daemon status --json');
/** Until a blocked client is connected besides the status call itself. */
const waiterConnected = () => waitFor(async () => ((await daemonStatus()).connections ?? 0) >= 2, { what: 'the waiting client to be connected' });
const sigkillDaemon = async () => {
  const { pid } = await daemonStatus();
  process.kill(pid!, 'SIGKILL');
};
/** A job that runs until `gate` exists, then exits with `code`. */
const gated = (gate: string, code: number) => ['sh', '-c', `while [ ! -e '${gate}' ]; do sleep 0.05; done; exit ${code}`];

describe('reconnecting across daemon restarts', () => {
  it('wait keeps waiting through `procd daemon restart` and exits with the job’s code', async () => {
    const gate = join(d.home, 'gate');
    expect((await d.cli(['track', '--name', 'rw', '--', ...gated(gate, 4)])).code).toBe(0);
    const waiting = d.cli(['wait', 'rw']);
    await waiterConnected();
    expect((await d.cli(['daemon', 'restart'])).code).toBe(0);
    writeFileSync(gate, '');
    const w = await waiting;
    expect(w.stderr).toBe('');
    expect(w.code).toBe(4);
  });

  it('track --wait survives a SIGKILLed daemon: it autostarts a new one and exits with the job’s code', async () => {
    const gate = join(d.home, 'gate');
    const waiting = d.cli(['track', '--wait', '--name', 'tw', '--', ...gated(gate, 6)]);
    await waiterConnected();
    await sigkillDaemon();
    writeFileSync(gate, '');
    const w = await waiting;
    expect(w.code).toBe(6);
    // Nobody else started a daemon: the waiter did.
    expect((await daemonStatus(['--no-autostart'])).pid).toBeGreaterThan(0);
    const job = await jobStatus(d, 'tw');
    expect(job.state).toMatchObject({ kind: 'failed', exitCode: 6 });
  });

  it('wait --no-autostart reconnects to a daemon started by someone else, and gives up when none comes', async () => {
    const gate = join(d.home, 'gate');
    expect((await d.cli(['track', '--name', 'na', '--', ...gated(gate, 3)])).code).toBe(0);
    const waiting = d.cli(['wait', 'na', '--no-autostart']);
    await waiterConnected();
    expect((await d.cli(['daemon', 'restart'])).code).toBe(0);
    writeFileSync(gate, '');
    expect((await waiting).code).toBe(3);

    expect((await d.cli(['track', '--name', 'nb', '--', 'sleep', '100'])).code).toBe(0);
    const abandoned = d.cli(['wait', 'nb', '--no-autostart']);
    await waiterConnected();
    await sigkillDaemon();
    const a = await abandoned;
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/daemon is not running/);
    // It never started one.
    expect((await daemonStatus(['--no-autostart'])).running).toBe(false);
  });

  it('logs --follow resumes from its cursor: every byte once, through a restart and a SIGKILL', async () => {
    const stop = join(d.home, 'stop');
    const script = `i=0; while [ ! -e '${stop}' ]; do i=$((i+1)); echo out$i; echo err$i >&2; sleep 0.02; done; echo end`;
    const id = (await d.cli(['track', '--', 'sh', '-c', script])).stdout.trim();
    const following = d.cli(['logs', id, '--follow']);
    await waiterConnected();
    const stdoutLength = async () => (await d.cli(['logs', id, '--stream', 'stdout'])).stdout.length;
    const grownPast = async (n: number) => waitFor(async () => (await stdoutLength()) > n + 50, { what: 'more output' });

    expect((await d.cli(['daemon', 'restart'])).code).toBe(0);
    await grownPast(await stdoutLength());
    await sigkillDaemon();
    await grownPast(await stdoutLength());
    writeFileSync(stop, '');
    const f = await following;
    expect(f.code).toBe(0);

    const all = await d.cli(['logs', id, '--stream', 'stdout']);
    const allErr = await d.cli(['logs', id, '--stream', 'stderr']);
    expect(all.stdout).toMatch(/\nend\n$/);
    expect(f.stdout).toBe(all.stdout);
    expect(f.stderr).toBe(allErr.stdout);
    // and the job's lines are all there, in order, once each
    const lines = f.stdout.trimEnd().split('\n').slice(0, -1);
    expect(lines).toEqual(lines.map((_, i) => `out${i + 1}`));
  });
});
