// The Perl shim's own fork server (`perl procd-shim.pl --serve`, daemon/shim/perl/Server.pm) forks
// each shim without an exec: what it forks must be exactly what an exec'd shim is. Compared side
// by side with a shim started the way the daemon starts one itself (the harness): signal
// dispositions and mask, session and process group, every fd, and the same for the job it runs;
// nothing of the server's (its pipes, other shims' channels) reaches a shim or a job. Also: the
// server runs with perl-base's modules alone.

import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ForkServer } from '../../../daemon/jobs/fork-server.js';
import { forkServerCommand } from '../../../daemon/jobs/fork-server-command.js';
import { ShimLauncher } from '../../../daemon/jobs/launcher.js';
import type { ShimCommand, ShimGone, ShimHandle } from '../../../daemon/jobs/shim-runner.js';
import { readExitFile, readStartedFile } from '../../../daemon/output/spawn-spec.js';
import { waitFor } from '../../helpers/wait-for.js';
import { perlBaseOnly } from './perl-base.js';
import { Harness, SHIM, SHIM_PERL } from './shim-harness.js';

const h = new Harness();
const servers: ForkServer[] = [];
const base = perlBaseOnly();
afterEach(async () => {
  for (const s of servers.splice(0)) if (s.alive) process.kill(s.pid, 'SIGKILL');
  await h.cleanup();
});
afterAll(() => {
  if ('dir' in base) rmSync(base.dir, { recursive: true, force: true });
});

async function perlServer(perl = SHIM_PERL): Promise<ForkServer> {
  const command: ShimCommand = { kind: 'perl', file: perl, args: [SHIM] };
  const run = forkServerCommand(command, '/nonexistent/procd-shim', () => false);
  if ('none' in run) throw new Error(run.none);
  const s = await ForkServer.start(run.file, command, join(h.tempDir(), 'server.log'), () => undefined, run.args);
  servers.push(s);
  return s;
}

async function launch(s: ForkServer, dir: string): Promise<{ handle: ShimHandle; gone: Promise<ShimGone>; events: string[] }> {
  const events: string[] = [];
  let onGone!: (g: ShimGone) => void;
  const gone = new Promise<ShimGone>((resolve) => (onGone = resolve));
  const handle = await s.launch(dir, { event: (e) => events.push(e.type), gone: (g) => onGone(g) });
  h.track(handle.pid);
  return { handle, gone, events };
}

/** Session, process group and parent from /proc/PID/stat. */
const ids = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return { ppid: Number(f[1]), pgrp: Number(f[2]), session: Number(f[3]) };
};
/** Blocked, ignored and caught signals. */
const signals = (pid: number) => Object.fromEntries(readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').filter((l) => /^Sig(Blk|Ign|Cgt):/.test(l)).map((l) => l.split(/:\s+/)));
/** Every fd and what it is, with the job directory's path and pipe numbers taken out. */
const fds = (pid: number, dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(`/proc/${pid}/fd`).map((fd) => [fd, readlinkSync(`/proc/${pid}/fd/${fd}`).replace(dir, '<jobDir>').replace(/^pipe:\[[0-9]+\]$/, 'pipe')]));
const pipesOf = (pid: number): Set<string> => new Set(readdirSync(`/proc/${pid}/fd`).map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`)).filter((t) => t.startsWith('pipe:')));

/** Where Sys.pm makes its calls through syscall() (else POSIX does, PROCD_SHIM_SYSCALLS=off forces that). */
const syscallArch = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');
/** Runs fn with PROCD_SHIM_SYSCALLS set as given for the servers and shims it starts. */
async function withSyscalls<T>(mode: 'on' | 'off', fn: () => Promise<T>): Promise<T> {
  const before = process.env.PROCD_SHIM_SYSCALLS;
  if (mode === 'off') process.env.PROCD_SHIM_SYSCALLS = 'off';
  else delete process.env.PROCD_SHIM_SYSCALLS;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.PROCD_SHIM_SYSCALLS;
    else process.env.PROCD_SHIM_SYSCALLS = before;
  }
}
/** The shared objects a process has mapped, by file name. */
const mappedLibs = (pid: number): string[] => [...new Set(readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').map((l) => /\/([^/\s]+\.so)$/.exec(l)?.[1]).filter((n): n is string => n !== undefined))];

describe('the Perl fork server forks shims that are what exec\'d ones are', () => {
  it.each(['on', 'off'] as const)('same signals, session, process group and fds as an exec\'d shim, for the shim and for its job; only its own channel is shared with the server (PROCD_SHIM_SYSCALLS=%s)', (mode) => withSyscalls(mode, async () => {
    const s = await perlServer();
    // A shim already running when the next is forked: its channel is the server's and must not reach the next one.
    const firstDir = await h.jobDir(h.defaults(['sleep', '300']));
    await launch(s, firstDir);
    const dir = await h.jobDir(h.defaults(['sleep', '300']));
    const served = await launch(s, dir);
    const execd = await h.start(h.defaults(['sleep', '300']));
    const started = await waitFor(() => readStartedFile(dir).catch(() => null), { what: 'the served job to start', timeoutMs: 15_000 });
    const execdStarted = await waitFor(() => readStartedFile(execd.dir).catch(() => null), { what: 'the exec\'d job to start', timeoutMs: 15_000 });
    const shim = served.handle.pid;
    const other = execd.shim.pid!;

    expect(ids(shim)).toEqual({ ppid: s.pid, pgrp: shim, session: shim });
    expect(ids(other)).toMatchObject({ pgrp: other, session: other });
    expect(signals(shim)).toEqual(signals(other));
    // stdin, channel, shim.log; spawn.spec (locked: the shim's claim on the directory); the job's
    // stdout and stderr, the self-pipe SIGCHLD writes to. An exec'd shim has the same, its channel
    // a socket when Node spawned it, and also whatever fd its spawner leaked without close-on-exec
    // (here: the test runner's); a served one has not.
    const shimFds = { '0': '/dev/null', '1': 'pipe', '2': '<jobDir>/shim.log', '3': '<jobDir>/spawn.spec', '4': 'pipe', '6': 'pipe', '10': 'pipe', '11': 'pipe' };
    expect(fds(shim, dir)).toEqual(shimFds);
    expect(fds(other, execd.dir)).toMatchObject({ ...shimFds, '1': expect.stringMatching(/^(pipe|socket:)/) });

    expect(ids(started.pid)).toEqual({ ppid: shim, pgrp: started.pid, session: started.pid });
    expect(signals(started.pid)).toEqual(signals(execdStarted.pid));
    // `sleep` may still hold a file of its own start-up (the locale) for a moment: equal once both settled.
    await waitFor(() => isDeepStrictEqual(fds(started.pid, dir), fds(execdStarted.pid, execd.dir)), { what: 'the two jobs to hold the same fds', timeoutMs: 10_000 });
    expect(fds(started.pid, dir)).toEqual({ '0': '/dev/null', '1': 'pipe', '2': 'pipe' });

    const serverPipes = pipesOf(s.pid);
    const channel = readlinkSync(`/proc/${shim}/fd/1`);
    expect([...pipesOf(shim)].filter((p) => serverPipes.has(p))).toEqual([channel]);
    expect([...pipesOf(started.pid)].filter((p) => serverPipes.has(p))).toEqual([]);
  }));

  // Every fork shares the server's heap copy-on-write and faults back in each page it touches, so
  // what the server loads costs each start (POSIX and IO::Handle were ~1.7 MB of its 3.5 MB).
  it.skipIf(!syscallArch)(`loads neither POSIX nor IO::Handle where syscall() serves, and POSIX once up front where it does not${syscallArch ? '' : ` (skipped: no syscall numbers for ${process.platform}/${process.arch})`}`, async () => {
    const lean = await perlServer();
    expect(mappedLibs(lean.pid)).not.toContain('POSIX.so');
    expect(mappedLibs(lean.pid)).not.toContain('IO.so');
    const dir = await h.jobDir(h.defaults(['sh', '-c', 'exit 3']));
    const seen = await launch(lean, dir);
    expect((await seen.gone).code).toBe(0);
    expect(await readExitFile(dir)).toMatchObject({ exitCode: 3 });
    const fallback = await withSyscalls('off', () => perlServer());
    expect(mappedLibs(fallback.pid)).toEqual(expect.arrayContaining(['POSIX.so', 'IO.so']));
  });

  it('a job directory without a spawn spec: spawn_error, the exit file, then closed, as an exec\'d shim does', async () => {
    const s = await perlServer();
    const dir = h.tempDir();
    const seen = await launch(s, dir);
    expect((await seen.gone).code).toBe(0);
    expect(seen.events).toEqual(['spawn_error', 'closed']);
    expect(await readExitFile(dir)).toMatchObject({ spawnError: { code: 'EINVAL', message: expect.stringMatching(/^bad spawn spec: cannot open .*spawn\.spec/) } });
  });

  it('the launcher uses it for the Perl shim also where no native binary was built', async () => {
    const warnings: string[] = [];
    const launcher = new ShimLauncher(() => ({ kind: 'perl', file: SHIM_PERL, args: [SHIM] }), { binary: '/nonexistent/procd-shim', logFile: join(h.tempDir(), 'fork-server.log'), warn: (m) => warnings.push(m) });
    try {
      const dir = join(h.tempDir(), 'job');
      let onGone!: (g: ShimGone) => void;
      const gone = new Promise<ShimGone>((resolve) => (onGone = resolve));
      const handle = await launcher.launch({ jobDir: dir, ...h.defaults(['sh', '-c', 'exit 6']) }, { event: () => undefined, gone: (g) => onGone(g) });
      h.track(handle.pid);
      const server = Number(/^the fork server \(pid ([0-9]+)\)$/.exec(launcher.startedBy)?.[1]);
      expect(readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0').slice(1, 3)).toEqual([SHIM, '--serve']);
      expect(ids(handle.pid).ppid).toBe(server);
      expect((await gone).code).toBe(0);
      expect(await readExitFile(dir)).toMatchObject({ exitCode: 6 });
      expect(warnings).toEqual([]);
    } finally {
      launcher.close();
    }
  });

  // An exec'd shim closes what its spawner leaked (here Node's extra stdio socket on fd 3, which it
  // passes without close-on-exec) once at its start, before it opens anything, instead of between the job's fork
  // and its exec: neither the shim nor its job holds it, and the shim's own fds are numbered as a
  // served shim's are.
  it('an exec\'d Perl shim closes the fds it inherited at its start: not held by it nor by its job', async () => {
    const dir = await h.jobDir(h.defaults(['sleep', '300']));
    const log = openSync(join(dir, 'shim.log'), 'a');
    const shim = spawn(SHIM_PERL, [SHIM, dir], { detached: true, stdio: ['ignore', 'pipe', log, 'pipe'] });
    closeSync(log);
    h.track(shim.pid);
    const started = await waitFor(() => readStartedFile(dir).catch(() => null), { what: 'the exec\'d job to start', timeoutMs: 15_000 });
    const pid = shim.pid!;
    expect(fds(pid, dir)).toEqual({ '0': '/dev/null', '1': expect.stringMatching(/^(pipe|socket:)/), '2': '<jobDir>/shim.log', '3': '<jobDir>/spawn.spec', '4': 'pipe', '6': 'pipe', '10': 'pipe', '11': 'pipe' });
    await waitFor(() => Object.keys(fds(started.pid, dir)).length === 3, { what: 'the job to hold fds 0-2 only', timeoutMs: 10_000 });
    expect(fds(started.pid, dir)).toEqual({ '0': '/dev/null', '1': 'pipe', '2': 'pipe' });
  });

  // The server clears its environment once (each job's is the spec's anyway) but keeps TZ: the
  // times in a served shim's shim.log are the daemon's local time, as an exec'd shim's are.
  it('a served shim writes shim.log in the time zone the server was started with (TZ)', async () => {
    const before = process.env.TZ;
    process.env.TZ = 'PROCD-14'; // UTC+14: no machine's own zone
    let s: ForkServer;
    try {
      s = await perlServer();
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
    const dir = await h.jobDir(h.defaults(['/nonexistent/command']));
    const seen = await launch(s, dir);
    expect((await seen.gone).code).toBe(0);
    const stamp = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) procd-shim\[\d+\]: spawn error ENOENT/m.exec(readFileSync(join(dir, 'shim.log'), 'utf8'));
    expect(stamp).not.toBeNull();
    const [, y, mo, d, hh, mi, ss] = stamp!.map(Number);
    const loggedAsUtc = Date.UTC(y!, mo! - 1, d!, hh!, mi!, ss!);
    expect(Math.abs(loggedAsUtc - 14 * 3600_000 - Date.now())).toBeLessThan(120_000);
  });

  const skip = 'skip' in base ? base.skip : null;
  it.skipIf(skip !== null)(`runs with perl-base's modules alone${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    if (!('perl' in base)) throw new Error('unreachable: skipped without perl-base');
    const s = await perlServer(base.perl);
    const dir = await h.jobDir(h.defaults(['sh', '-c', 'echo hi; exit 4']));
    const seen = await launch(s, dir);
    expect((await seen.gone).code).toBe(0);
    expect(seen.events).toEqual(['started', 'exited', 'closed']);
    expect(await readExitFile(dir)).toMatchObject({ exitCode: 4 });
    expect(readFileSync(join(dir, 'shim.log'), 'utf8')).toBe('');
  });
});
