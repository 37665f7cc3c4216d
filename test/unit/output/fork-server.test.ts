// The fork servers with their daemon side (daemon/jobs/fork-server.ts): the native one
// (`procd-shim --serve`, daemon/shim/native/server.c) and the Perl shim's own (`perl procd-shim.pl
// --serve`, daemon/shim/perl/Server.pm), one protocol: real shims forked for real jobs, their
// channels relayed in order, their ends reported after their last event; shims outlive the server.
// The native server's tests are skipped, with the reason, only when the build had no C compiler.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it as itVitest } from 'vitest';
import { ForkServer } from '../../../daemon/jobs/fork-server.js';
import { forkServerCommand } from '../../../daemon/jobs/fork-server-command.js';
import { nativeShimCommand, type ShimCommand, type ShimGone, type ShimHandle } from '../../../daemon/jobs/shim-runner.js';
import { readExitFile, readStartedFile, type ShimEvent } from '../../../daemon/output/spawn-spec.js';
import { waitFor } from '../../helpers/wait-for.js';
import { Harness, NATIVE_SHIM, nativeShimSkipReason, SHIM, SHIM_PERL } from './shim-harness.js';

const skip = nativeShimSkipReason();
const h = new Harness();
const servers: ForkServer[] = [];
const warnings: string[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    if (s.alive) process.kill(s.pid, 'SIGKILL');
  }
  await h.cleanup();
  warnings.length = 0;
});

async function server(command = nativeShimCommand(NATIVE_SHIM)): Promise<ForkServer> {
  const s = await ForkServer.start(NATIVE_SHIM, command, join(h.tempDir(), 'server.log'), (m) => warnings.push(m));
  servers.push(s);
  return s;
}

/** The Perl shim's own server, as the launcher runs it (fork-server-command.ts). */
const PERL_COMMAND: ShimCommand = { kind: 'perl', file: SHIM_PERL, args: [SHIM] }; // shim-runner's SHIM_PATH is right from dist/ only
async function perlServer(): Promise<ForkServer> {
  const run = forkServerCommand(PERL_COMMAND, '/nonexistent/procd-shim', existsSync);
  if ('none' in run) throw new Error(run.none);
  const s = await ForkServer.start(run.file, PERL_COMMAND, join(h.tempDir(), 'server.log'), (m) => warnings.push(m), run.args);
  servers.push(s);
  return s;
}

/** What both servers must do alike: each is started as the daemon starts it; `shimFile` is what a gone shim names. */
const KINDS = [
  { title: `the native fork server${skip ? ` (skipped: ${skip})` : ''}`, skip, start: () => server(), shimFile: NATIVE_SHIM, argv: [NATIVE_SHIM, '--serve', NATIVE_SHIM] },
  { title: 'the Perl fork server (procd-shim.pl --serve)', skip: null, start: perlServer, shimFile: SHIM_PERL, argv: [SHIM_PERL, SHIM, '--serve'] },
];

interface Seen {
  events: ShimEvent[];
  gone: Promise<ShimGone>;
  order: string[];
  handle: ShimHandle;
}

/** Launches the shim for `dir`, recording everything it reports, in order, until it is gone. */
async function launch(s: ForkServer, dir: string): Promise<Seen> {
  const events: ShimEvent[] = [];
  const order: string[] = [];
  let onGone!: (g: ShimGone) => void;
  const gone = new Promise<ShimGone>((resolve) => (onGone = resolve));
  const handle = await s.launch(dir, {
    event: (e) => {
      events.push(e);
      order.push(e.type);
    },
    gone: (g) => {
      order.push('gone');
      onGone(g);
    },
  });
  h.track(handle.pid);
  return { events, gone, order, handle };
}

/** The job's exit record (not a spawn failure), or null. */
const exitOf = async (dir: string) => {
  const r = await readExitFile(dir).catch(() => null);
  return r && 'exitCode' in r ? r : null;
};

/** The bytes of a stream's (only) segment. */
const segment = (dir: string, stream: 'stdout' | 'stderr'): string => {
  const name = readdirSync(join(dir, 'out')).find((f) => f.startsWith(`${stream}.`));
  return name ? readFileSync(join(dir, 'out', name), 'utf8') : '';
};

const isAlive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
};

describe.each(KINDS)('$title', (k) => {
  const it = itVitest.skipIf(k.skip !== null);
  it('forks a shim per request: the job runs, its events arrive in order, its end comes last', async () => {
    const s = await k.start();
    const dir = await h.jobDir(h.defaults(['sh', '-c', 'echo out; exit 3']));
    const seen = await launch(s, dir);
    const gone = await seen.gone;
    expect(gone).toEqual({ code: 0, signal: null, error: null, file: k.shimFile });
    expect(seen.order).toEqual(['started', 'exited', 'closed', 'gone']);
    expect(seen.events.find((e) => e.type === 'exited')).toMatchObject({ exitCode: 3, signal: null });
    expect((await exitOf(dir))?.exitCode).toBe(3);
    expect(segment(dir, 'stdout')).toBe('out\n');
    // The shim is the server's child, in a session of its own (as when the daemon spawns it).
    expect(warnings).toEqual([]);
  });

  it('answers concurrent requests in order, one shim each', async () => {
    const s = await k.start();
    const dirs = await Promise.all(Array.from({ length: 20 }, (_, i) => h.jobDir(h.defaults(['sh', '-c', `exit ${i}`]))));
    const seen = await Promise.all(dirs.map((d) => launch(s, d)));
    expect(new Set(seen.map((x) => x.handle.pid)).size).toBe(20);
    const ends = await Promise.all(seen.map((x) => x.gone));
    expect(ends.every((g) => g.code === 0)).toBe(true);
    const codes = await Promise.all(dirs.map(async (d) => (await exitOf(d))?.exitCode));
    expect(codes).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('ends when the daemon lets go of it; the shims it started run on and still record their job', async () => {
    const s = await k.start();
    const dir = await h.jobDir(h.defaults(['sleep', '300']));
    const { handle } = await launch(s, dir);
    const started = await waitFor(() => readStartedFile(dir).catch(() => null), { what: 'the started file', timeoutMs: 10_000 });
    s.close();
    await waitFor(() => !isAlive(s.pid), { what: 'the server to end', timeoutMs: 10_000 });
    expect(isAlive(handle.pid)).toBe(true);
    expect(isAlive(started.pid)).toBe(true);
    process.kill(started.pid, 'SIGTERM');
    const exit = await waitFor(() => exitOf(dir), { what: 'the exit file', timeoutMs: 10_000 });
    expect(exit.signal).toBe(15);
  });

  it('killed, it reports every shim it relayed as gone with a lost channel, and refuses new requests', async () => {
    const s = await k.start();
    const dir = await h.jobDir(h.defaults(['sleep', '300']));
    const seen = await launch(s, dir);
    const { handle } = seen;
    await waitFor(() => seen.events.some((e) => e.type === 'started'), { what: 'the started event', timeoutMs: 10_000 });
    process.kill(s.pid, 'SIGKILL');
    const gone = await seen.gone;
    expect(gone.error).toMatchObject({ code: 'ECHANNEL' });
    expect(gone.error?.message).toMatch(/fork server .* ended .*runs on without a channel/);
    expect(s.alive).toBe(false);
    expect(isAlive(handle.pid)).toBe(true); // the shim and its job are untouched
    await expect(launch(s, dir)).rejects.toThrow(/fork server .* ended/);
  });

  // Several requests in one read: every answer comes in the order of the requests, a refusal in
  // its place between two forks, and each shim's events only after its answer.
  it('answers the requests of one read in their order, a refused one in its place', async () => {
    const [file, ...args] = k.argv;
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    h.track(child.pid);
    let out = '';
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (t: string) => (out += t));
    await waitFor(() => out.startsWith('R '), { what: 'the server to be ready', timeoutMs: 10_000 });
    const a = await h.jobDir(h.defaults(['sh', '-c', 'exit 0']));
    const b = await h.jobDir(h.defaults(['sh', '-c', 'exit 0']));
    child.stdin.write(`${a}\nrelative\n${b}\n`);
    await waitFor(() => (out.match(/^G /gm) ?? []).length === 2, { what: 'both shims to end', timeoutMs: 15_000 });
    const records = out.split('\n').filter((l) => /^[RPFG] /.test(l));
    const [pa, pb] = records.filter((l) => l.startsWith('P ')).map((l) => l.slice(2));
    for (const pid of [pa, pb]) h.track(Number(pid));
    expect(records.slice(0, 4)).toEqual([expect.stringMatching(/^R /), `P ${pa}`, 'F EINVAL the job directory must be an absolute path', `P ${pb}`]);
    for (const pid of [pa, pb]) expect(out.indexOf(`E ${pid} `)).toBeGreaterThan(out.indexOf(`P ${pid}\n`));
    child.stdin.end();
  });

  it('refuses a request that is not an absolute path (and the server stays up)', async () => {
    const [file, ...args] = k.argv;
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    h.track(child.pid);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (t: string) => (out += t));
    child.stdin.write('relative/dir\n\n');
    await waitFor(() => out.split('\n').length >= 4, { what: 'two answers', timeoutMs: 10_000 });
    expect(out.split('\n').slice(0, 3)).toEqual([expect.stringMatching(/^R /), 'F EINVAL the job directory must be an absolute path', 'F EINVAL the job directory must be an absolute path']);
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(existsSync('relative')).toBe(false);
  });
});

describe.skipIf(skip !== null)(`the native fork server, its own${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const it = itVitest;
  it('runs the Perl shim just as well (the server execs whatever shim command it was given)', async () => {
    const s = await server({ kind: 'perl', file: SHIM_PERL, args: [SHIM] }); // shim-runner's SHIM_PATH is right from dist/ only
    const dir = await h.jobDir(h.defaults(['sh', '-c', 'exit 5']));
    const seen = await launch(s, dir);
    expect((await seen.gone).code).toBe(0);
    expect(seen.order).toEqual(['started', 'exited', 'closed', 'gone']);
    expect(readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0')).toContain(SHIM_PERL);
    expect(readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0')).toContain(SHIM);
  });

  it('a shim program that cannot run ends with 127, says why in shim.log, and the daemon side reports it as the error', async () => {
    const s = await server({ kind: 'native', file: '/nonexistent/procd-shim', args: [] });
    const dir = await h.jobDir(h.defaults(['true']));
    const seen = await launch(s, dir);
    const gone = await seen.gone;
    expect(gone).toMatchObject({ code: 127, signal: null, file: '/nonexistent/procd-shim', error: { code: 'ENOENT', message: 'No such file or directory' } });
    expect(readFileSync(join(dir, 'shim.log'), 'utf8')).toBe('procd-shim server: cannot run /nonexistent/procd-shim: ENOENT No such file or directory\n');
  });
});
