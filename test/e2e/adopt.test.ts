// Adopting processes procd did not start, and every way adopt refuses.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/job.js';
import type { KillResult } from '../../shared/methods.js';
import { CLI, FIXTURES, pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, jobStatus, parseJson, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const INTERVAL_MS = 300;

let d: TestDaemon | undefined;
/** Processes the test started itself (outside procd): killed after each test, whatever happened. */
const external: ChildProcess[] = [];
/** Processes the test knows about by pid (members of an adopted group): killed after each test too. */
const strays: number[] = [];

afterEach(async () => {
  for (const child of external.splice(0)) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await d?.cleanup();
  d = undefined;
});

async function start(env: Record<string, string> = {}): Promise<TestDaemon> {
  d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: `${INTERVAL_MS}ms`, ...env } });
  return d;
}

const track = (args: string[]) => trackJob(d!, args);
const status = (id: number) => jobStatus(d!, id);

/** An external process started by the test, in its own process group (not a procd job). */
function spawnExternal(argv: string[], opts: { uid?: number; gid?: number } = {}): ChildProcess {
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore', ...opts });
  external.push(child);
  if (!child.pid) throw new Error(`could not start ${argv.join(' ')}`);
  return child;
}

interface JsonError {
  error: { code: number; name: string; message: string; data: { pid: number; reason: string } };
}

async function adoptFails(pid: number): Promise<{ stderr: string; error: JsonError['error'] }> {
  const plain = await d!.cli(['adopt', String(pid)]);
  expect(plain.code).toBe(1);
  expect(plain.stdout).toBe('');
  expect(plain.stderr).toMatch(/\[AdoptFailed -32007\]/);
  const json = await d!.cli(['adopt', '--json', String(pid)]);
  expect(json.code).toBe(1);
  const { error } = parseJson<JsonError>(json, 'adopt --json');
  expect(error).toMatchObject({ code: -32007, name: 'AdoptFailed', data: { pid } });
  return { stderr: plain.stderr, error };
}

describe('adopt', () => {
  it('adopts an external process; procd kill ends it (killed, pid gone)', async () => {
    await start();
    const child = spawnExternal(['sleep', '1031']);
    const pid = child.pid!;
    const r = await d!.cli(['adopt', '--json', String(pid), '--name', 'ext', '--tag', 'outside']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const job = parseJson<Job>(r, 'adopt --json');
    expect(job).toMatchObject({ name: 'ext', tags: ['outside'], spec: { command: { kind: 'adopted', argv: ['sleep', '1031'] }, stuckAfterMs: 0 } });
    expect(job.state).toMatchObject({ kind: 'running', pid, shimPid: null });
    // started before the adoption: the start time comes from the process itself
    // (boot time is known to the second, hence the slack)
    expect((job.state as { startedAt: number }).startedAt).toBeLessThanOrEqual(job.createdAt + 1000);

    const sampled = await waitFor(async () => {
      const j = await status(job.id);
      return j.resources?.last ? j : null;
    }, { what: 'a sample of the adopted process' });
    expect(sampled.resources!.last!.processes).toBe(1);
    const ls = await d!.cli(['ls']);
    expect(ls.stdout).toMatch(/\[adopted\] sleep 1031/);
    // Its output was never procd's: status says so rather than a cap of 0 bytes.
    const shown = await d!.cli(['status', String(job.id)]);
    expect(shown.stdout).toMatch(/output\s+not captured \(an adopted process keeps writing where it did\)/);

    const k = await d!.cli(['kill', '--json', String(job.id)]);
    expect(k.code).toBe(0);
    const [result] = parseJson<KillResult[]>(k, 'kill --json');
    expect(result).toMatchObject({ id: job.id, state: 'killed', signalled: [pid] });
    expect(pidAlive(pid)).toBe(false);
    const s = await status(job.id);
    expect(s.state).toMatchObject({ kind: 'killed', exitCode: null, signal: null, kill: { reason: 'user', signal: 'SIGTERM', signalled: [pid] } });
  });

  it('an adopted process that exits by itself is lost (exit code null) within two intervals', async () => {
    await start();
    // it ends once adopted (however slow the adopt call), by a signal procd neither sent nor sees
    const child = spawnExternal(['sleep', '1000']);
    const exitedAt = new Promise<number>((resolve) => child.on('exit', () => resolve(Date.now())));
    const r = await d!.cli(['adopt', '--json', String(child.pid)]);
    expect(r.code).toBe(0);
    const job = parseJson<Job>(r, 'adopt --json');
    child.kill('SIGTERM');
    const exited = await exitedAt;
    const lost = await waitFor(async () => {
      const j = await status(job.id);
      return j.state.kind === 'lost' ? j : null;
    }, { what: 'the job to be lost' });
    if (lost.state.kind !== 'lost') throw new Error('not lost');
    expect(lost.state.exitCode).toBeNull();
    expect(lost.state.signal).toBeNull();
    expect(lost.state.reason).toMatch(/adopted process exited/);
    expect(lost.state.endedAt - exited).toBeLessThanOrEqual(2 * INTERVAL_MS + 1000);
    expect(lost.state.endedAt).toBeGreaterThanOrEqual(exited - 50);
    const ls = await d!.cli(['ls']);
    expect(ls.stdout).toMatch(new RegExp(`^${job.id}\\s+sleep\\s+lost\\s`, 'm'));
  });

  it('refuses a pid that does not exist', async () => {
    await start();
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    let pid = pidMax - 1;
    while (existsSync(`/proc/${pid}`)) pid--;
    const { stderr, error } = await adoptFails(pid);
    expect(stderr).toMatch(new RegExp(`no process with pid ${pid}`));
    expect(error.data.reason).toBe('not_found');
  });

  it("refuses the daemon's own pid", async () => {
    await start();
    const daemon = await daemonStatus(d!);
    const { stderr, error } = await adoptFails(daemon.pid);
    expect(stderr).toMatch(/is the procd daemon itself/);
    expect(error.data.reason).toBe('self');
  });

  it('refuses a pid that is already tracked (a job of its own, or adopted before)', async () => {
    await start();
    const job = await track(['--', 'sleep', '1032']);
    const pid = job.state.kind === 'running' ? job.state.pid : -1;
    const tracked = await adoptFails(pid);
    expect(tracked.stderr).toMatch(new RegExp(`pid ${pid} is already tracked as job ${job.id}`));
    expect(tracked.error.data.reason).toBe('already_tracked');

    const child = spawnExternal(['sleep', '1033']);
    expect((await d!.cli(['adopt', String(child.pid)])).code).toBe(0);
    const again = await adoptFails(child.pid!);
    expect(again.stderr).toMatch(/is already tracked as job 2/);
    const counts = (await daemonStatus(d!)).counts;
    expect(counts.running).toBe(2);
  });

  it('refuses the shim of a job: procd already owns it', async () => {
    await start();
    const job = await track(['--', 'sleep', '1036']);
    const shim = job.state.kind === 'running' ? job.state.shimPid : null;
    expect(shim).toBeGreaterThan(0);
    const { stderr, error } = await adoptFails(shim!);
    expect(stderr).toMatch(new RegExp(`procd shim of job ${job.id}`));
    expect(error.data.reason).toBe('already_tracked');
  });

  it('adopts a pid once when several adopts of it arrive at the same instant', async () => {
    await start();
    const child = spawnExternal(['sleep', '1037']);
    const c = await d!.client();
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => c.adopt({ pid: child.pid!, name: `dup${i}` })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ data: { reason: 'already_tracked' } });
    expect((await c.daemonStatus()).counts.running).toBe(1);
  });

  it('an adopted group leader is stopped with its whole group, members that are not its descendants included', async () => {
    await start({ PROCD_GRACE: '300ms' });
    // `(sleep 1039 &)` is orphaned at once (its parent subshell exits) but stays in the group
    const leader = spawnExternal(['sh', '-c', '(sleep 1039 &); sleep 1038 & wait']);
    const orphan = await waitFor(() => {
      for (const e of readdirSync('/proc')) {
        if (!/^\d+$/.test(e)) continue;
        try {
          if (readFileSync(`/proc/${e}/cmdline`, 'latin1') !== 'sleep\u00001039\u0000') continue;
          const [, ppid, pgid] = readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]!.split(' ').map(Number);
          if (pgid === leader.pid && ppid !== leader.pid) return Number(e);
        } catch {
          // vanished
        }
      }
      return null;
    }, { what: 'the orphaned group member' });
    strays.push(orphan);
    const r = await d!.cli(['adopt', '--json', String(leader.pid)]);
    expect(r.code).toBe(0);
    const job = parseJson<Job>(r, 'adopt --json');
    expect(job.spec.command).toMatchObject({ kind: 'adopted', leadsGroup: true });
    const killed = await d!.cli(['kill', '--json', String(job.id)]);
    expect(killed.code).toBe(0);
    expect(parseJson<KillResult[]>(killed, 'kill --json')[0]!.signalled).toContain(orphan);
    await waitFor(() => !pidAlive(orphan), { what: 'the orphan to be gone' });
  });

  it("refuses a process of a running job (procd started it: it is already tracked as part of that job)", async () => {
    await start();
    const job = await track(['--', 'sh', '-c', 'sleep 1035 & wait']);
    const shPid = job.state.kind === 'running' ? job.state.pid : -1;
    const child = await waitFor(async () => {
      const s = await jobStatus(d!, job.id, { tree: true });
      return s.tree?.find((p) => p.command === 'sleep 1035')?.pid;
    }, { what: 'the job to count its sleep' });
    expect(readFileSync(`/proc/${child}/environ`, 'latin1').split('\0')).toContain(`PROCD_JOB_ID=${job.id}`);
    const { error } = await adoptFails(child);
    expect(error.data.reason).toBe('already_tracked');
    expect(error.message).toContain(`job ${job.id}`);
    expect(pidAlive(shPid)).toBe(true);
  });

  it('refuses a zombie', async () => {
    await start();
    const job = await track(['--', 'perl', join(FIXTURES, 'aw-zombie.pl')]);
    const m = await waitFor(async () => /parent (\d+) zombie (\d+)/.exec((await d!.cli(['logs', String(job.id)])).stdout), { what: 'the fixture to report its pids' });
    const zombie = Number(m[2]);
    await waitFor(() => existsSync(`/proc/${zombie}`) && !pidAlive(zombie), { what: 'the child to be a zombie' });
    const { stderr, error } = await adoptFails(zombie);
    expect(stderr).toMatch(/is a zombie/);
    expect(error.data.reason).toBe('zombie');
  });

  it("refuses another user's process", async (ctx) => {
    await start();
    let pid: number | null = null;
    const uid = process.getuid!();
    if (uid === 0) {
      // as root: start one as nobody
      const child = spawnExternal(['sleep', '1034'], { uid: 65534, gid: 65534 });
      await waitFor(() => existsSync(`/proc/${child.pid}`) && statSync(`/proc/${child.pid}`).uid === 65534, { what: 'the process to run as nobody' });
      pid = child.pid!;
    } else {
      for (const e of readdirSync('/proc')) {
        if (!/^\d+$/.test(e)) continue;
        try {
          if (statSync(`/proc/${e}`).uid !== uid && pidAlive(Number(e))) {
            pid = Number(e);
            break;
          }
        } catch {
          // vanished
        }
      }
    }
    if (pid === null) ctx.skip('no process of another user is visible on this machine');
    const { stderr, error } = await adoptFails(pid!);
    expect(stderr).toMatch(/belongs to uid \d+, not to you/);
    expect(error.data.reason).toBe('other_user');
  });

  it('refuses pid 1 (init), even when the daemon runs as root', async () => {
    // Nothing here may signal pid 1: if the adopt wrongly succeeds, the daemon is SIGKILLed by
    // the cleanup (no shutdown procedure runs), so the adopted init is never stopped.
    await start();
    const { stderr, error } = await adoptFails(1);
    expect(stderr).toMatch(/pid 1/);
    expect(error.data.reason).toMatch(/\w/);
  });

  it("refuses the caller's own shell (`procd adopt $$`) unless --force; release lets it go without a signal", async () => {
    await start();
    const out = (n: string) => join(d!.home, n);
    // $$ in this shell is the parent of the procd command it runs: the caller's own shell.
    const script = `"$NODE" "$CLI" adopt --json $$ >"$OUT1" 2>/dev/null; "$NODE" "$CLI" adopt --json --force --name myshell $$ >"$OUT2"; exec sleep 1032`;
    const shell = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore', env: { ...d!.env, NODE: process.execPath, CLI, OUT1: out('1.json'), OUT2: out('2.json') } });
    external.push(shell);
    const shellPid = shell.pid!;
    await waitFor(() => existsSync(out('2.json')) && readFileSync(out('2.json'), 'utf8').includes('}'), { what: 'both adopts from the shell', timeoutMs: 30_000 });
    const refused = JSON.parse(readFileSync(out('1.json'), 'utf8')) as JsonError;
    expect(refused.error).toMatchObject({ name: 'AdoptFailed', data: { pid: shellPid, reason: 'caller_ancestor' } });
    expect(refused.error.message).toMatch(/ancestor of the procd client that asked.*--force/);
    const adopted = JSON.parse(readFileSync(out('2.json'), 'utf8')) as Job;
    expect(adopted).toMatchObject({ name: 'myshell', state: { kind: 'running', pid: shellPid } });

    const released = await d!.cli(['release', 'myshell']);
    expect(released.stderr).toBe('');
    expect(released.code).toBe(0);
    expect(released.stdout).toMatch(new RegExp(`released: pid ${shellPid} keeps running`));
    expect(pidAlive(shellPid)).toBe(true);
    expect((await status(adopted.id)).state).toMatchObject({ kind: 'lost', outcome: 'released', exitCode: null, signal: null });
    // No longer procd's: kill refuses it, and it can be adopted again.
    expect((await d!.cli(['kill', String(adopted.id)])).code).toBe(1);
    expect(pidAlive(shellPid)).toBe(true);
    const again = await d!.cli(['adopt', '--json', String(shellPid), '--name', 'again']);
    expect(again.stderr).toBe('');
    expect(parseJson<Job>(again, 'adopt again').state).toMatchObject({ kind: 'running', pid: shellPid });
  });

  it('release refuses a job procd started (NotAdopted) and a finished one', async () => {
    await start();
    const job = await track(['--', 'sleep', '1033']);
    const r = await d!.cli(['release', String(job.id)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/was started by procd, not adopted.*\[NotAdopted -32013\]/);
    expect((await status(job.id)).state.kind).toBe('running');
  });
});
