// A shim the fork server runs in its forked child without an exec (server.c, serve_self: the
// served program is the server's own binary) must be exactly what an exec'd shim is: its own
// session, fds 0-2 plus its own pipes and nothing of the server's, the same signal dispositions
// and mask, and the command line `procd-shim <jobDir>`. Skipped, with the reason, only when the
// build had no C compiler.

import { mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ForkServer } from '../../../daemon/jobs/fork-server.js';
import { nativeShimCommand, startShim, type ShimHandle } from '../../../daemon/jobs/shim-runner.js';
import { readExitFile, readStartedFile, writeSpawnSpec } from '../../../daemon/output/spawn-spec.js';
import { waitFor } from '../../helpers/wait-for.js';
import { Harness, NATIVE_SHIM, nativeShimSkipReason } from './shim-harness.js';

const skip = nativeShimSkipReason();
const h = new Harness();
const servers: ForkServer[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) if (s.alive) process.kill(s.pid, 'SIGKILL');
  await h.cleanup();
});

async function server(): Promise<ForkServer> {
  const s = await ForkServer.start(NATIVE_SHIM, nativeShimCommand(NATIVE_SHIM), join(h.tempDir(), 'server.log'), () => undefined);
  servers.push(s);
  return s;
}

/** What an exec leaves that a served shim must match. */
interface ProcessLook {
  cmdline: string[];
  session: number;
  /** fd → what it points at (`/dev/null`, `pipe:[N]`, a path). */
  fds: Map<number, string>;
  signals: { blocked: string; ignored: string; caught: string };
}

function look(pid: number): ProcessLook {
  // Trailing NULs: a served shim's command line is written over the server's, the rest cleared.
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0+$/, '').split('\0');
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const session = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
  const fds = new Map<number, string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      fds.set(Number(fd), readlinkSync(`/proc/${pid}/fd/${fd}`));
    } catch {
      // closed meanwhile
    }
  }
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const field = (name: string) => new RegExp(`^${name}:\\s+(\\S+)`, 'm').exec(status)?.[1] ?? '';
  return { cmdline, session, fds, signals: { blocked: field('SigBlk'), ignored: field('SigIgn'), caught: field('SigCgt') } };
}

/** Waits until the shim for `dir` has started its job (a shim that has not yet set up its signals looks different). */
const startedJob = (dir: string) => waitFor(() => readStartedFile(dir).catch(() => null), { what: `the started file in ${dir}`, timeoutMs: 10_000 });

async function served(s: ForkServer, dir: string): Promise<ShimHandle> {
  const handle = await s.launch(dir, { event: () => undefined, gone: () => undefined });
  h.track(handle.pid);
  await startedJob(dir);
  return handle;
}

describe.skipIf(skip !== null)(`a shim served by the fork server${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('is what an exec of `procd-shim <jobDir>` gives: command line, own session, only its own fds, the same signal dispositions', async () => {
    const s = await server();
    await served(s, await h.jobDir(h.defaults(['sleep', '300']))); // its channel is open in the server too
    const dir = await h.jobDir(h.defaults(['sleep', '300']));
    const shim = look((await served(s, dir)).pid);

    // The reference: the same shim exec'd by the daemon itself (PROCD_FORK_SERVER=off).
    const refDir = await h.jobDir(h.defaults(['sleep', '300']));
    const ref = startShim(refDir, join(refDir, 'shim.log'), nativeShimCommand(NATIVE_SHIM));
    h.track(ref.pid);
    await startedJob(refDir);
    const exec = look(ref.pid);

    expect(shim.cmdline).toEqual([NATIVE_SHIM, dir]);
    expect(exec.cmdline).toEqual([NATIVE_SHIM, refDir]);
    expect(shim.signals).toEqual(exec.signals);
    // fds 0-2 as the daemon gives them; above 2 only the shim's own: its locked spawn.spec (its
    // claim on the directory) and pipes (its job's output and its self-pipe), none of the
    // server's (its pipes to the daemon and to the other shims).
    expect(shim.fds.get(0)).toBe('/dev/null');
    expect(shim.fds.get(1)).toMatch(/^pipe:/);
    expect(shim.fds.get(2)).toBe(join(dir, 'shim.log'));
    const above2 = [...shim.fds].filter(([fd]) => fd > 2).map(([, target]) => target);
    expect(above2.filter((t) => !t.startsWith('pipe:'))).toEqual([join(dir, 'spawn.spec')]);
    const serverTargets = new Set(look(s.pid).fds.values()); // it reads the shim's channel (fd 1): by design
    expect([...shim.fds].filter(([fd, t]) => fd !== 1 && serverTargets.has(t))).toEqual([]);
  });

  it("is its own session leader, like an exec'd shim", async () => {
    const s = await server();
    const dir = await h.jobDir(h.defaults(['sleep', '300']));
    const pid = (await served(s, dir)).pid;
    expect(look(pid).session).toBe(pid);
  });

  it("still runs (exec'd) when its job directory is too long to fit over the server's command line", async () => {
    const s = await server();
    const deep = join(h.tempDir(), 'd'.repeat(120), 'e'.repeat(120));
    mkdirSync(deep, { recursive: true });
    await writeSpawnSpec(deep, h.defaults(['sh', '-c', 'exit 4']));
    const handle = await s.launch(deep, { event: () => undefined, gone: () => undefined });
    h.track(handle.pid);
    const exit = await waitFor(() => readExitFile(deep).catch(() => null), { what: 'the exit file', timeoutMs: 10_000 });
    expect(exit).toMatchObject({ exitCode: 4 });
  });
});
