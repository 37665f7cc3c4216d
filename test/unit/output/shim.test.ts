import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readInterleaved, readStream, streamInfo } from '../../../daemon/output/segments.js';
import { parseShimEvent, readClosedFile, readExitFile, readStartedFile } from '../../../daemon/output/spawn-spec.js';
import { FIXTURES, Harness, shimCommand, waitClosed, waitExit } from './shim-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const h = new Harness();
afterEach(() => h.cleanup());

const sh = (script: string, ...args: string[]) => ['sh', '-c', script, 'sh', ...args];

async function allOf(dir: string, stream: 'stdout' | 'stderr'): Promise<Buffer> {
  const r = await readStream(dir, stream, 0, 1 << 30);
  return r.data;
}

describe('procd-shim: exit status', () => {
  it('records exit code 3 with no signal, writes started/exit/closed and the matching events', async () => {
    const run = await h.start(h.defaults(sh('exit 3')));
    const exit = await waitExit(run.dir);
    expect(exit).toMatchObject({ exitCode: 3, signal: null, shimPid: run.shim.pid });
    const started = await readStartedFile(run.dir);
    expect(started).toMatchObject({ shimPid: run.shim.pid });
    expect('pid' in exit && exit.pid).toBe(started!.pid);
    await waitClosed(run.dir);
    expect(await run.ended).toBe(0);
    const events = run.events.map(parseShimEvent);
    expect(events.map((e) => e?.type)).toEqual(['started', 'exited', 'closed']);
    expect(events[0]).toMatchObject({ pid: started!.pid });
    expect(events[1]).toMatchObject({ exitCode: 3, signal: null });
  });

  it('decodes a death by SIGSEGV as signal 11 and exit code 139, never 0', async () => {
    const run = await h.start(h.defaults(sh('kill -SEGV $$')));
    const exit = await waitExit(run.dir);
    expect(exit).toMatchObject({ exitCode: 139, signal: 11 });
    await run.ended;
    expect(run.events.map(parseShimEvent)[1]).toMatchObject({ type: 'exited', exitCode: 139, signal: 11 });
  });

  it.skipIf(!existsSync('/proc/self/stat'))('runs the child as leader of its own session and process group, with default signal dispositions', async () => {
    // The child prints its pid, pgid and sid (fields 1, 5, 6 of /proc/self/stat) and its ignored-signal mask.
    const script = 'read -r line < /proc/self/stat; set -- $line; echo "$1 $5 $6"; grep SigIgn /proc/self/status';
    const run = await h.start(h.defaults(sh(`exec sh -c '${script}'`)));
    await waitClosed(run.dir);
    const [ids, ign] = (await allOf(run.dir, 'stdout')).toString().trim().split('\n');
    const [pid, pgid, sid] = ids!.split(' ').map(Number);
    expect(pid).toBe((await readStartedFile(run.dir))!.pid);
    expect(pgid).toBe(pid);
    expect(sid).toBe(pid);
    expect(ign).toMatch(/SigIgn:\s+0+$/); // the shim's ignored SIGHUP/INT/TERM/PIPE are not inherited
  });

  it('reaps the child promptly even while a grandchild holds the pipes (SIGCHLD, not the 1 s timeout)', async () => {
    const run = await h.start(h.defaults(sh('sleep 30 & sleep 0.2')));
    const exit = await waitExit(run.dir);
    if ('spawnError' in exit) throw new Error('unexpected spawn error');
    expect(exit.exitCode).toBe(0);
    expect(exit.at - exit.startedAt).toBeLessThan(700);
  });
});

describe('procd-shim: spawn errors', () => {
  it('reports a missing command as ENOENT with the PATH searched, and no started file', async () => {
    const run = await h.start(h.defaults(['procd-no-such-command-xyz']));
    const exit = await waitExit(run.dir);
    expect(exit).toMatchObject({ spawnError: { code: 'ENOENT' } });
    expect('spawnError' in exit && exit.spawnError.message).toMatch(/procd-no-such-command-xyz.*PATH=/);
    expect(await readStartedFile(run.dir)).toBeNull();
    await waitClosed(run.dir);
    await run.ended; // the events come through a pipe (served: relayed by the server), after the files
    expect(run.events.map((l) => parseShimEvent(l)?.type)).toEqual(['spawn_error', 'closed']);
    expect(parseShimEvent(run.events[0]!)).toMatchObject({ code: 'ENOENT' });
  });

  it('reports a non-executable file as EACCES', async () => {
    const dir = h.tempDir();
    const file = join(dir, 'not-executable');
    writeFileSync(file, '#!/bin/sh\necho hi\n');
    chmodSync(file, 0o644);
    const run = await h.start(h.defaults([file]));
    expect(await waitExit(run.dir)).toMatchObject({ spawnError: { code: 'EACCES' } });
  });

  it('reports a directory as the command as EISDIR "it is a directory", not EACCES', async () => {
    const dir = h.tempDir();
    const run = await h.start(h.defaults([dir]));
    const exit = await waitExit(run.dir);
    expect(exit).toMatchObject({ spawnError: { code: 'EISDIR' } });
    expect('spawnError' in exit && exit.spawnError.message).toBe(`cannot execute '${dir}': it is a directory`);
  });

  it('reports E2BIG naming the one argument over 128 KiB and the sizes, with what to do', async () => {
    const run = await h.start(h.defaults(['echo', 'ok', 'x'.repeat(200_000)]));
    const exit = await waitExit(run.dir);
    expect(exit).toMatchObject({ spawnError: { code: 'E2BIG' } });
    expect('spawnError' in exit && exit.spawnError.message).toMatch(
      /^cannot execute 'echo': too large for the system's exec limit \(ARG_MAX\): argument 2 is 200001 bytes, over the 128 KiB one argument may have \(MAX_ARG_STRLEN\); arguments 200009 bytes in 3 items, environment \d+ bytes in 1 variable; pass long argument lists through a file/,
    );
  });

  it('reports a missing cwd as ENOENT and a file as cwd as ENOTDIR, naming the cwd', async () => {
    const dir = h.tempDir();
    const missing = join(dir, 'no such dir');
    const run = await h.start(h.defaults(['true'], { cwd: missing }));
    const exit = await waitExit(run.dir);
    expect(exit).toMatchObject({ spawnError: { code: 'ENOENT' } });
    expect('spawnError' in exit && exit.spawnError.message).toContain(missing);

    const file = join(dir, 'file');
    writeFileSync(file, '');
    const run2 = await h.start(h.defaults(['true'], { cwd: file }));
    const exit2 = await waitExit(run2.dir);
    expect(exit2).toMatchObject({ spawnError: { code: 'ENOTDIR' } });
    expect('spawnError' in exit2 && exit2.spawnError.message).toContain(file);
  });

  it('reports an unreadable spawn spec as a spawn error instead of dying silently', async () => {
    const dir = h.tempDir();
    writeFileSync(join(dir, 'spawn.spec'), 'garbage');
    const [file, ...args] = shimCommand(dir);
    const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    h.track(child.pid);
    const exit = await waitExit(dir);
    expect(exit).toMatchObject({ spawnError: { code: 'EINVAL' } });
  });

  it('writes a message holding quotes, a backslash, a newline and UTF-8 as valid JSON, and as one event line', async () => {
    const missing = join(h.tempDir(), 'no "such"\\ dir\nü\x01');
    const run = await h.start(h.defaults(['true'], { cwd: missing }));
    const exit = await waitExit(run.dir); // JSON.parse of the exit file
    expect('spawnError' in exit && exit.spawnError.message).toBe(`cannot change directory to '${missing}': No such file or directory`);
    await waitClosed(run.dir);
    await run.ended;
    expect(run.events.map((l) => parseShimEvent(l)?.type)).toEqual(['spawn_error', 'closed']);
    expect(parseShimEvent(run.events[0]!)).toMatchObject({ code: 'ENOENT', message: `cannot change directory to '${missing.replace('\n', ' ')}': No such file or directory` });
  });
});

describe('procd-shim: output', () => {
  it('keeps binary bytes and a trailing partial line exactly, on both streams', async () => {
    const script = `printf 'a\\000b\\377\\r\\n' ; printf 'e\\001\\n' >&2; printf 'no newline'`;
    const run = await h.start(h.defaults(sh(script)));
    await waitClosed(run.dir);
    expect(await allOf(run.dir, 'stdout')).toEqual(Buffer.from('a\0b\xff\r\nno newline', 'latin1'));
    expect(await allOf(run.dir, 'stderr')).toEqual(Buffer.from('e\x01\n', 'latin1'));
    expect(await readClosedFile(run.dir)).toMatchObject({ stdoutBytes: 16, stderrBytes: 3, lostBytes: 0 });
  });

  it('starts a new index entry for output arriving 100 ms or more after the last entry (arrival times to 0.1 s)', async () => {
    const go = join(h.tempDir(), 'go');
    const run = await h.start(h.defaults(sh('echo one; while [ ! -e "$1" ]; do sleep 0.01; done; echo two', go)));
    await waitFor(async () => (await streamInfo(run.dir, 'stdout')).end === 4, { what: 'the first line stored' });
    const firstSeen = Date.now();
    await waitFor(() => Date.now() >= firstSeen + 150, { what: '150 ms after the first line' }); // the rule under test is about time
    writeFileSync(go, '');
    await waitClosed(run.dir);
    const index = readdirSync(join(run.dir, 'out'))
      .filter((f) => f.startsWith('index.'))
      .sort()
      .map((f) => readFileSync(join(run.dir, 'out', f), 'utf8'))
      .join('');
    const entries = index.trim().split('\n').map((l) => l.split(' '));
    expect(entries.map(([, s, off]) => `${s} ${off}`)).toEqual(['o 0', 'o 4']);
    expect(Number(entries[1]![0]) - Number(entries[0]![0])).toBeGreaterThanOrEqual(150);
  });

  it('preserves the order of alternating stdout/stderr writes in the interleaved view', async () => {
    const run = await h.start(h.defaults(['perl', join(FIXTURES, 'out-alternate.pl'), '40', 'binary']));
    await waitClosed(run.dir);
    const { chunks } = await readInterleaved(run.dir, { stdout: 0, stderr: 0 }, 1 << 20);
    const expected: { stream: string; data: Buffer }[] = [];
    for (let i = 1; i <= 40; i++) {
      expected.push({ stream: 'stdout', data: Buffer.from(`out ${i} \x00\xff\xfe\r`, 'latin1') });
      expected.push({ stream: 'stderr', data: Buffer.from(`err ${i} \x00\xff\xfe\r`, 'latin1') });
    }
    expect(chunks).toEqual(expected);
  });

  it('caps disk use: 1 MiB through a 64 KiB cap keeps only the exact tail, start = dropped bytes', async () => {
    const total = 1 << 20;
    const max = 64 * 1024;
    const run = await h.start(h.defaults(['node', join(FIXTURES, 'out-write-bytes.mjs'), String(total), '10007', 'pattern'], { maxOutputBytes: max, segmentBytes: 16 * 1024 }));
    await waitClosed(run.dir);
    const files = readdirSync(join(run.dir, 'out'));
    const segs = files.filter((f) => f.startsWith('stdout.'));
    const kept = segs.reduce((n, f) => n + statSync(join(run.dir, 'out', f)).size, 0);
    expect(kept).toBeLessThanOrEqual(max);
    expect(kept).toBeGreaterThanOrEqual(max - 16 * 1024);
    for (const f of segs) expect(Number(f.slice(7)) % (16 * 1024)).toBe(0);
    const info = await streamInfo(run.dir, 'stdout');
    expect(info.end).toBe(total);
    expect(info.start).toBe(total - kept);
    const r = await readStream(run.dir, 'stdout', 0, 1 << 20);
    expect(r.skipped).toBe(info.start);
    expect(r.next).toBe(total);
    const expected = Buffer.alloc(kept);
    for (let i = 0; i < kept; i++) expected[i] = (info.start + i) % 251;
    expect(r.data.equals(expected)).toBe(true);
    const indexBytes = files.filter((f) => f.startsWith('index.')).reduce((n, f) => n + statSync(join(run.dir, 'out', f)).size, 0);
    expect(indexBytes).toBeLessThanOrEqual(max / 2);
  });

  it('gives the child exactly the spec environment and argv (newlines, empty strings, UTF-8)', async () => {
    const script = 'print join("\\0", @ARGV), "\\0\\0"; print "$_=$ENV{$_}\\0" for sort keys %ENV';
    const env = { PATH: process.env.PATH!, WEIRD: 'line1\nline2=x', EMPTY: '', PROCD_JOB_ID: '42' };
    const argv = ['perl', '-e', script, 'a\nb', '', 'ü x'];
    const run = await h.start(h.defaults(argv, { env }), { SHIM_ONLY_VAR: 'must-not-leak' });
    await waitClosed(run.dir);
    const expected = ['a\nb', '', 'ü x'].join('\0') + '\0\0' + Object.keys(env).sort().map((k) => `${k}=${env[k as keyof typeof env]}\0`).join('');
    expect((await allOf(run.dir, 'stdout')).toString('utf8')).toBe(expected);
    expect(await allOf(run.dir, 'stderr')).toHaveLength(0);
  });
});

describe('procd-shim: independence', () => {
  it('survives the death of the process that started it: output keeps landing, the exit is recorded', async () => {
    const dir = h.tempDir();
    const stop = join(dir, 'stop');
    const jobDir = await h.jobDir(h.defaults(sh('i=0; while [ ! -e "$1" ]; do echo tick $i; i=$((i+1)); sleep 0.02; done; echo done; exit 5', stop)));
    // A throwaway starter (standing in for the daemon) spawns the shim like the daemon does; then it is SIGKILLed.
    const starter = spawn(
      process.execPath,
      [
        '-e',
        `const { spawn } = require('node:child_process'); const fs = require('node:fs');
         const [file, ...args] = JSON.parse(process.argv[1]);
         const s = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', fs.openSync(process.argv[2] + '/shim.log', 'a')] });
         s.stdout.on('data', (d) => process.stdout.write(d));
         setInterval(() => {}, 1000);`,
        JSON.stringify(shimCommand(jobDir)),
        jobDir,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    h.track(starter.pid);
    const startedLine = await new Promise<string>((resolve) => {
      let buf = '';
      starter.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
      });
    });
    expect(parseShimEvent(startedLine)).toMatchObject({ type: 'started' });
    const started = await waitFor(() => readStartedFile(jobDir), { what: 'started file' });
    h.track(started.shimPid);
    starter.kill('SIGKILL');
    await new Promise((r) => starter.once('exit', r));
    const before = (await streamInfo(jobDir, 'stdout')).end;
    await waitFor(async () => (await streamInfo(jobDir, 'stdout')).end > before + 50, { what: 'output after the starter died' });
    process.kill(started.shimPid, 0); // the shim is still alive
    writeFileSync(stop, '');
    expect(await waitExit(jobDir)).toMatchObject({ exitCode: 5, signal: null });
    await waitClosed(jobDir);
    expect((await allOf(jobDir, 'stdout')).toString()).toMatch(/tick 0\n(tick \d+\n)+done\n$/);
  });

  it('ignores SIGTERM/SIGHUP/SIGINT sent to it', async () => {
    const dir = h.tempDir();
    const stop = join(dir, 'stop');
    const run = await h.start(h.defaults(sh('while [ ! -e "$1" ]; do sleep 0.02; done; echo bye', stop)));
    await waitFor(() => readStartedFile(run.dir), { what: 'started' });
    for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) run.shim.kill(sig);
    writeFileSync(stop, '');
    expect(await waitExit(run.dir)).toMatchObject({ exitCode: 0 });
    await waitClosed(run.dir);
    expect((await allOf(run.dir, 'stdout')).toString()).toBe('bye\n');
  });

  it('keeps draining after the child exits: a grandchild writing later is captured and closed comes after it', async () => {
    const dir = h.tempDir();
    const go = join(dir, 'go');
    const run = await h.start(h.defaults(sh('(while [ ! -e "$1" ]; do sleep 0.02; done; echo late; echo late-err >&2) & echo early; exit 0', go)));
    const exit = await waitExit(run.dir);
    expect(exit).toMatchObject({ exitCode: 0 });
    // The exit file is written before the event is read from the channel: wait for the event.
    await waitFor(() => run.events.some((l) => l.startsWith('exited ')), { what: 'the exited event' });
    expect(await readClosedFile(run.dir)).toBeNull(); // the grandchild still holds the pipes
    writeFileSync(go, '');
    const closed = await waitClosed(run.dir);
    expect(closed.at).toBeGreaterThanOrEqual(exit.at);
    expect((await allOf(run.dir, 'stdout')).toString()).toBe('early\nlate\n');
    expect((await allOf(run.dir, 'stderr')).toString()).toBe('late-err\n');
    await run.ended;
    expect(run.events.map((l) => parseShimEvent(l)?.type)).toEqual(['started', 'exited', 'closed']);
  });

  it('writes the exit file before closed, and both parse', async () => {
    const run = await h.start(h.defaults(sh('echo x')));
    await waitClosed(run.dir);
    expect(await readExitFile(run.dir)).not.toBeNull();
    expect(JSON.parse(readFileSync(join(run.dir, 'exit'), 'utf8'))).toHaveProperty('coreDumped', false);
  });
});
