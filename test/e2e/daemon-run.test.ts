// `procd daemon run` is what systemd and launchd start: in the foreground, it must exit 0
// promptly when told to stop (SIGTERM, SIGINT, `procd daemon stop`), never linger or spin.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';
import { VERSION } from '../../shared/version.js';

let d: TestDaemon | null = null;
let fg: ChildProcess | null = null;
afterEach(async () => {
  fg?.kill('SIGKILL');
  fg = null;
  await d?.cleanup();
  d = null;
});

async function foreground(): Promise<{ child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
  d = await startTestDaemon({ autostartOnly: true });
  const child = spawn(process.execPath, [CLI, 'daemon', 'run'], { env: d.env, stdio: ['ignore', 'ignore', 'pipe'] });
  fg = child;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await waitFor(async () => (await d!.cli(['daemon', 'status', '--no-autostart'])).code === 0, { what: 'the foreground daemon to answer' });
  return { child, exited };
}

/** Resolves with the exit, or with 'still running' after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | 'still running'> {
  return Promise.race([p, new Promise<'still running'>((r) => setTimeout(() => r('still running'), ms).unref())]);
}

describe('daemon run (foreground)', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exits 0 after ${signal}`, async () => {
      const { child, exited } = await foreground();
      child.kill(signal);
      expect(await within(exited, 15_000)).toEqual({ code: 0, signal: null });
    });
  }

  it('next to a running daemon refuses, naming its pid and what to do (exit 3)', async () => {
    const { child } = await foreground();
    const r = await d!.cli(['daemon', 'run'], { timeoutMs: 20_000 });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`already running for this home (pid ${child.pid}`);
    expect(r.stderr).toContain('procd daemon stop --keep-jobs');
  });

  it('`daemon start` next to a running daemon says "already running (pid N)"', async () => {
    const { child } = await foreground();
    const again = await d!.cli(['daemon', 'start']);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`procd daemon already running (pid ${child.pid}, version ${VERSION})\n`);
    expect(JSON.parse((await d!.cli(['daemon', 'start', '--json'])).stdout)).toMatchObject({ pid: child.pid, alreadyRunning: true });
  });

  it('exits 0 after `procd daemon stop`, and the stop command returns', async () => {
    const { exited } = await foreground();
    const stop = await d!.cli(['daemon', 'stop'], { timeoutMs: 20_000 });
    expect(stop.code).toBe(0);
    expect(await within(exited, 15_000)).toEqual({ code: 0, signal: null });
  });
});
