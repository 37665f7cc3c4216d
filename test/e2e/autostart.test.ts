// One daemon per home, even when 20 clients autostart it at the same instant; a stale socket
// left by a killed daemon is replaced.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { DAEMON_ENTRY } from '../../client/autostart.js';
import { connect } from '../../client/index.js';
import { CLI, processGone, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
});

/** Live daemon processes for this home (by PROCD_HOME in their environment and their entry file). */
function daemonsOf(home: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'latin1');
      const env = readFileSync(`/proc/${e}/environ`, 'latin1').split('\0');
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (cmd.split('\0')[1] === DAEMON_ENTRY && env.includes(`PROCD_HOME=${home}`) && state !== 'Z') pids.push(Number(e));
    } catch {
      // gone
    }
  }
  return pids;
}

/** Runs the CLI on a pseudo-terminal (util-linux `script`): what a user at a terminal sees, both streams mixed. */
function onTerminal(t: TestDaemon, args: string[]): Promise<{ code: number | null; output: string }> {
  const quote = (a: string) => `'${a.replaceAll("'", `'\\''`)}'`;
  const child = spawn('script', ['-qec', [process.execPath, CLI, ...args].map(quote).join(' '), '/dev/null'], { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => chunks.push(b));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: Buffer.concat(chunks).toString('utf8') });
    }),
  );
}

describe('autostart notice', () => {
  it.skipIf(!existsSync('/usr/bin/script'))('on a terminal says once that it started a daemon (pid, log file); never into pipes or --json', async () => {
    d = await startTestDaemon({ autostartOnly: true });
    const piped = await d.cli(['ls']);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe('');
    await d.cli(['daemon', 'stop']);

    const json = await onTerminal(d, ['ls', '--json']);
    expect(json.code).toBe(0);
    expect(json.output).not.toMatch(/started the daemon/);
    await d.cli(['daemon', 'stop']);

    const tty = await onTerminal(d, ['ls']);
    expect(tty.code).toBe(0);
    const pid = JSON.parse((await d.cli(['daemon', 'status', '--json', '--no-autostart'])).stdout).pid as number;
    const notices = tty.output.match(/procd: started the daemon \(pid (\d+); log (\S+)\)/g) ?? [];
    expect(notices).toEqual([`procd: started the daemon (pid ${pid}; log ${d.paths.logFile})`]);
    // a daemon that was already running is not announced
    expect((await onTerminal(d, ['ls'])).output).not.toMatch(/started the daemon/);
  });
});

describe('autostart', () => {
  it('20 clients at once end with exactly one daemon, all connected to it', async () => {
    d = await startTestDaemon({ autostartOnly: true });
    const results = await Promise.all(Array.from({ length: 20 }, () => d!.cli(['daemon', 'status', '--json'], { env: {} }).then(async () => d!.cli(['ls', '--json']))));
    // a failure shows what the client said, not only its exit code
    expect(results.filter((r) => r.code !== 0).map((r) => `${r.code}: ${r.stderr}`)).toEqual([]);
    const clients = await Promise.all(Array.from({ length: 20 }, () => connect({ paths: d!.paths })));
    const pids = new Set(clients.map((c) => c.daemon.pid));
    for (const c of clients) c.close();
    expect(pids.size).toBe(1);
    // losers exit at once; let them go, then count
    await waitFor(() => daemonsOf(d!.home).length === 1, { what: 'only one daemon process' });
    expect(daemonsOf(d.home)).toEqual([...pids]);
  });

  it('truly concurrent library autostarts converge on one daemon', async () => {
    d = await startTestDaemon({ autostartOnly: true });
    const clients = await Promise.all(Array.from({ length: 20 }, () => connect({ paths: d!.paths, autostart: true })));
    const pids = new Set(clients.map((c) => c.daemon.pid));
    for (const c of clients) c.close();
    expect(pids.size).toBe(1);
    await waitFor(() => daemonsOf(d!.home).length === 1, { what: 'only one daemon process' });
  });

  it('replaces the stale socket of a SIGKILLed daemon', async () => {
    d = await startTestDaemon();
    const c = await d.client();
    const oldPid = c.daemon.pid;
    c.close();
    process.kill(oldPid, 'SIGKILL');
    await waitFor(() => processGone(oldPid), { what: 'the old daemon to be gone' });
    const r = await d.cli(['daemon', 'status', '--json']);
    expect(r.code).toBe(1); // not running, and no autostart for status
    const s = await d.cli(['ls']);
    expect(s.code).toBe(0);
    const c2 = await d.client();
    expect(c2.daemon.pid).not.toBe(oldPid);
  });

  it('without autostart, a missing daemon is a clear error', async () => {
    d = await startTestDaemon({ autostartOnly: true });
    const r = await d.cli(['ls', '--no-autostart']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/daemon is not running.*procd daemon start/);
    const env = await d.cli(['ls'], { env: { PROCD_NO_AUTOSTART: '1' } });
    expect(env.code).toBe(1);
  });

  it('refuses a socket path longer than the platform limit, saying how to fix it', async () => {
    d = await startTestDaemon({ autostartOnly: true });
    const long = `/tmp/${'x'.repeat(120)}.sock`;
    const r = await d.cli(['daemon', 'start'], { env: { PROCD_SOCKET: long, PROCD_AUTOSTART_TIMEOUT: '3000' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/longer than the 107-byte limit/);
    expect(r.stderr).toMatch(/PROCD_SOCKET/);
  });
});
