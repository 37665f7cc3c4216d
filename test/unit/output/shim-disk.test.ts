// The shim when the disk refuses: a segment or index file that cannot be created, writes cut short
// by a file-size limit, a full or inode-less file system (tmpfs, only where mounting is allowed),
// and atomic files that cannot be put in place. Nothing stored may be out of place, every lost byte
// is counted (closed, and the lost file while the job runs) and every gap is logged with its offset.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readInterleaved, readStream } from '../../../daemon/output/segments.js';
import { readLostBytes, readLostFile, readStartedFile, writeSpawnSpec } from '../../../daemon/output/spawn-spec.js';
import { FIXTURES, Harness, shimCommand, waitClosed, waitExit } from './shim-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const h = new Harness();
const mounts: string[] = [];
afterEach(async () => {
  await h.cleanup();
  for (const dir of mounts.splice(0)) {
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

const perl = (script: string, ...args: string[]) => ['perl', '-e', script, ...args];
const seg = (stream: string, offset: number) => `${stream}.${String(offset).padStart(16, '0')}`;
/** The shim's log: <jobDir>/shim.log, or elsewhere when the job dir is on a file system a test fills up. */
const logs = new Map<string, string>();
const shimLog = (dir: string) => readFileSync(logs.get(dir) ?? join(dir, 'shim.log'), 'utf8');

/** The job: writes `first` to stdout, waits for the file `go`, then writes `second`. */
const GATED = 'my ($go, $a, $b) = @ARGV; $| = 1; print $a; select(undef, undef, undef, 0.02) until -e $go; print $b';

/** Gaps the shim logged for a stream: [stored offset, bytes lost there]. */
function gaps(dir: string, stream: string): [number, number][] {
  const re = new RegExp(`${stream}: (\\d+) bytes lost at offset (\\d+)`, 'g');
  return [...shimLog(dir).matchAll(re)].map((m) => [Number(m[2]), Number(m[1])]);
}

/** Puts the logged gaps back into the stored bytes, taking the missing bytes from what the job wrote. */
function withGapsFilled(stored: Buffer, written: Buffer, list: [number, number][]): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  let orig = 0;
  for (const [at, n] of list) {
    parts.push(stored.subarray(pos, at));
    orig += at - pos;
    parts.push(written.subarray(orig, orig + n));
    orig += n;
    pos = at;
  }
  parts.push(stored.subarray(pos));
  return Buffer.concat(parts);
}

const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `L${from + i}\n`).join('');

describe('procd-shim: a segment or index file that cannot be created', () => {
  it('retries a segment at the same offset once the disk takes it again; the lost bytes are counted, also while the job runs', async () => {
    const gate = h.tempDir();
    const spec = h.defaults(perl(GATED, join(gate, 'go'), 'lost 1\nlost 2\n', 'kept 1\nkept 2\n'));
    const dir = await h.jobDir(spec);
    // A directory where the first stdout segment goes: creating it fails (EISDIR) until it is gone.
    mkdirSync(join(dir, 'out', seg('stdout', 0)), { recursive: true });
    const run = await startIn(dir);
    const lost = await waitFor(() => readLostFile(run.dir), { what: 'the lost file' });
    expect(lost.lostBytes).toBe(14);
    expect(await readLostBytes(run.dir)).toBe(14);
    rmSync(join(dir, 'out', seg('stdout', 0)), { recursive: true });
    writeFileSync(join(gate, 'go'), '');
    const closed = await waitClosed(run.dir);
    expect(closed).toMatchObject({ stdoutBytes: 14, stderrBytes: 0, lostBytes: 14 });
    expect(JSON.parse(readFileSync(join(run.dir, 'closed'), 'utf8'))).toMatchObject({ stdoutLostBytes: 14, stderrLostBytes: 0 });
    expect(await readLostBytes(run.dir)).toBe(14);
    expect((await readStream(run.dir, 'stdout', 0, 1 << 20)).data.toString()).toBe('kept 1\nkept 2\n');
    const log = shimLog(run.dir);
    expect(log).not.toMatch(/closed filehandle/);
    expect(gaps(run.dir, 'stdout')).toEqual([[0, 14]]);
  });

  it('drops (and counts) a chunk whose change-of-stream index entry cannot be written, so the interleaved view is never out of order', async () => {
    const gate = h.tempDir();
    const script = `my ($go) = @ARGV; $| = 1; print "o0\\n"; print STDERR "e0\\n";
      select(undef, undef, undef, 0.02) until -e $go;
      for my $i (1 .. 5) { print "o$i\\n"; select(undef, undef, undef, 0.03); print STDERR "e$i\\n"; select(undef, undef, undef, 0.03) }`;
    const dir = await h.jobDir(h.defaults(perl(script, join(gate, 'go'))));
    mkdirSync(join(dir, 'out', seg('index', 0)), { recursive: true });
    const run = await startIn(dir);
    await waitFor(async () => ((await readLostFile(run.dir))?.lostBytes ?? 0) === 6, { what: 'the lost file' });
    rmSync(join(dir, 'out', seg('index', 0)), { recursive: true });
    writeFileSync(join(gate, 'go'), '');
    const closed = await waitClosed(run.dir);
    expect(closed).toMatchObject({ stdoutBytes: 15, stderrBytes: 15, lostBytes: 6 });
    const { chunks } = await readInterleaved(run.dir, { stdout: 0, stderr: 0 }, 1 << 20);
    const expected = [1, 2, 3, 4, 5].flatMap((i) => [
      { stream: 'stdout', data: `o${i}\n` },
      { stream: 'stderr', data: `e${i}\n` },
    ]);
    expect(chunks.map((c) => ({ stream: c.stream, data: c.data.toString() }))).toEqual(expected);
    expect(gaps(run.dir, 'stdout')).toEqual([[0, 3]]);
    expect(gaps(run.dir, 'stderr')).toEqual([[0, 3]]);
    expect(shimLog(run.dir)).not.toMatch(/closed filehandle/);
  });
});

describe('procd-shim: writes cut short', () => {
  it('under a file-size limit (EFBIG, partial writes) every stored byte is in place, each gap is logged where it is, and the shim survives SIGXFSZ', async () => {
    const total = 300_000;
    const written = Buffer.from(lines(1, 100_000)).subarray(0, total);
    const script = `$| = 1; my $s = join("", map { "L$_\\n" } 1 .. 100000); $s = substr($s, 0, ${total}); for (my $o = 0; $o < length $s; $o += 7001) { print substr($s, $o, 7001) }`;
    const dir = await h.jobDir(h.defaults(perl(script), { maxOutputBytes: 1 << 20, segmentBytes: 256 << 10 }));
    // `ulimit -f 64`: 32 KiB (512-byte blocks) or 64 KiB, depending on the shell; either is far below a segment.
    const run = await startIn(dir, ['sh', '-c', 'ulimit -f 64 && exec "$@"', 'sh', ...shimCommand(dir)]);
    const closed = await waitClosed(run.dir);
    expect(await run.ended).toBe(0);
    expect(closed.lostBytes).toBeGreaterThan(0); // otherwise this test proves nothing
    expect(closed.stdoutBytes + closed.lostBytes).toBe(total);
    const stored = (await readStream(run.dir, 'stdout', 0, 1 << 20)).data;
    expect(stored.length).toBe(closed.stdoutBytes);
    const list = gaps(run.dir, 'stdout');
    expect(list.length).toBeGreaterThan(0);
    expect(list.reduce((n, [, len]) => n + len, 0)).toBe(closed.lostBytes);
    expect(withGapsFilled(stored, written, list).equals(written)).toBe(true);
    // Segments stay contiguous: each starts where the one before it ends.
    const segs = readdirSync(join(run.dir, 'out')).filter((f) => f.startsWith('stdout.')).sort();
    let next = 0;
    for (const f of segs) {
      expect(Number(f.slice(7))).toBe(next);
      next += statSync(join(run.dir, 'out', f)).size;
    }
    expect(next).toBe(closed.stdoutBytes);
  });
});

describe('procd-shim: index entries cut short', () => {
  it('never leaves half an entry in the index; the chunk whose entry failed is dropped and counted, the rest stays in order', async (ctx) => {
    // 4 KiB index segments and a 4 KiB file-size limit (`ulimit -f 8` in 512-byte blocks): the entry
    // that crosses 4096 bytes is written in part, then refused (EFBIG).
    const rounds = 150;
    const dir = await h.jobDir(h.defaults(['perl', join(FIXTURES, 'out-alternate.pl'), String(rounds)], { maxOutputBytes: 64 << 10, segmentBytes: 4096 }));
    const run = await startIn(dir, ['sh', '-c', 'ulimit -f 8 && exec "$@"', 'sh', ...shimCommand(dir)]);
    const closed = await waitClosed(run.dir);
    expect(await run.ended).toBe(0);
    const indexFiles = readdirSync(join(run.dir, 'out')).filter((f) => f.startsWith('index.'));
    const indexBytes = indexFiles.reduce((n, f) => n + statSync(join(run.dir, 'out', f)).size, 0);
    // a shell whose `ulimit -f` counts KiB sets a limit the index never reaches: nothing to check
    ctx.skip(indexBytes < 4096 + 100, `the index (${indexBytes} bytes) never reached the file-size limit: this sh's ulimit -f is not in 512-byte blocks`);
    for (const f of indexFiles) {
      const text = readFileSync(join(run.dir, 'out', f), 'latin1');
      expect(text === '' || text.endsWith('\n'), `${f} ends inside an entry`).toBe(true);
      for (const line of text.split('\n').slice(0, -1)) expect(line).toMatch(/^[0-9]+ [oe] [0-9]+$/);
    }
    expect(closed.lostBytes).toBeGreaterThan(0);
    const original = Array.from({ length: rounds }, (_, i) => [`stdout out ${i + 1}`, `stderr err ${i + 1}`]).flat();
    const { chunks } = await readInterleaved(run.dir, { stdout: 0, stderr: 0 }, 1 << 20);
    const seen = chunks.flatMap((c) => c.data.toString().split('\n').slice(0, -1).map((l) => `${c.stream} ${l}`));
    // What is shown is what was written, in the same order, minus whole chunks whose bytes were counted as lost.
    let k = 0;
    let dropped = 0;
    for (const line of original) {
      if (seen[k] === line) k++;
      else dropped += line.length - line.indexOf(' '); // the text after the stream name, plus its newline
    }
    expect(k, `shown out of order or altered near: ${seen[k]}`).toBe(seen.length);
    expect(dropped).toBe(closed.lostBytes);
  });
});

describe('procd-shim: files that cannot be put in place', () => {
  it.each(['exit', 'closed'])('leaves no %s.tmp.* behind when the rename fails, and writes it once it can', async (name) => {
    const dir = await h.jobDir(h.defaults(['sh', '-c', 'echo hi; exit 4']));
    mkdirSync(join(dir, name, 'blocker'), { recursive: true }); // rename(2) cannot replace a non-empty directory
    const run = await startIn(dir);
    await waitFor(() => shimLog(run.dir).includes(`cannot write ${join(run.dir, name)}`), { what: `the failure to write ${name} in shim.log` });
    // Each retry (once a second) has a temp file for an instant; none may stay.
    await waitFor(() => readdirSync(run.dir).every((f) => !f.includes('.tmp.')), { what: 'no temp file', timeoutMs: 3000 });
    if (name === 'closed') expect(statSync(join(run.dir, 'closed')).isDirectory()).toBe(true);
    else expect(existsSync(join(run.dir, 'closed'))).toBe(false); // closed always comes after exit
    rmSync(join(dir, name), { recursive: true });
    expect(await waitExit(run.dir)).toMatchObject({ exitCode: 4 });
    await waitClosed(run.dir);
    expect(await run.ended).toBe(0);
    expect(readdirSync(run.dir).filter((f) => f.includes('.tmp.'))).toEqual([]);
    expect((await readStream(run.dir, 'stdout', 0, 100)).data.toString()).toBe('hi\n');
  });
});

describe('procd-shim: a real full file system (tmpfs; skips where mounting is not permitted)', () => {
  /** A small tmpfs, or null when this process may not mount one. */
  function tmpfs(options: string): string | null {
    const dir = mkdtempSync(join(tmpdir(), 'procd-tmpfs-'));
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      return null;
    }
    mounts.push(dir);
    return dir;
  }

  it('block-full: output resumes where the stored bytes end once space is freed; the gap is exact', async (ctx) => {
    const mnt = tmpfs('size=2m,nr_inodes=256');
    if (!mnt) return ctx.skip('mount -t tmpfs is not permitted here (needs root)');
    const gate = h.tempDir();
    const first = lines(1, 15_000); // ~94 KB: one argv string must stay below 128 KiB
    const second = lines(15_001, 20_000);
    const dir = join(mnt, 'job');
    mkdirSync(dir);
    await writeSpawnSpec(dir, h.defaults(perl(GATED, join(gate, 'go'), first, second)));
    // Leave about 40 KiB free: the first part does not fit.
    const free = Number(spawnSync('df', ['--output=avail', '-B1', mnt], { encoding: 'utf8' }).stdout.trim().split('\n').pop());
    writeFileSync(join(mnt, 'filler'), Buffer.alloc(Math.max(0, free - 40 * 1024)));
    const run = await startIn(dir, undefined, join(gate, 'shim.log'));
    await waitFor(() => /No space left on device/.test(shimLog(dir)), { what: 'a disk error in shim.log' });
    h.track((await waitFor(() => readStartedFile(dir), { what: 'the started file' })).pid); // the job dir is not the harness's
    rmSync(join(mnt, 'filler'));
    writeFileSync(join(gate, 'go'), '');
    const closed = await waitClosed(dir);
    const written = Buffer.from(first + second);
    expect(closed.lostBytes).toBeGreaterThan(0);
    expect(closed.stdoutBytes + closed.lostBytes).toBe(written.length);
    const stored = (await readStream(dir, 'stdout', 0, 4 << 20)).data;
    expect(stored.subarray(-second.length).toString()).toBe(second); // everything after the space came back
    const list = gaps(dir, 'stdout');
    expect(list.reduce((n, [, len]) => n + len, 0)).toBe(closed.lostBytes);
    expect(withGapsFilled(stored, written, list).equals(written)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp.'))).toEqual([]);
    expect(await run.ended).toBe(0);
  });

  it('no inodes left: nothing is created until one is free, then output is stored again', async (ctx) => {
    const mnt = tmpfs('size=2m,nr_inodes=32');
    if (!mnt) return ctx.skip('mount -t tmpfs is not permitted here (needs root)');
    const gate = h.tempDir();
    const dir = join(mnt, 'job');
    mkdirSync(join(dir, 'out'), { recursive: true });
    await writeSpawnSpec(dir, h.defaults(perl(GATED, join(gate, 'go'), 'early\n', 'late\n')));
    // Use up every inode but the one the started file needs.
    mkdirSync(join(mnt, 'fill'));
    for (let i = 0; ; i++) {
      try {
        closeSync(openSync(join(mnt, 'fill', String(i)), 'w'));
      } catch {
        rmSync(join(mnt, 'fill', String(i - 1)));
        break;
      }
    }
    const run = await startIn(dir, undefined, join(gate, 'shim.log'));
    h.track((await waitFor(() => readStartedFile(dir), { what: 'the started file' })).pid); // the job dir is not the harness's
    await waitFor(() => /No space left on device/.test(shimLog(dir)), { what: 'a disk error in shim.log' });
    rmSync(join(mnt, 'fill'), { recursive: true });
    writeFileSync(join(gate, 'go'), '');
    const closed = await waitClosed(dir);
    expect(closed).toMatchObject({ stdoutBytes: 5, lostBytes: 6 });
    expect((await readStream(dir, 'stdout', 0, 100)).data.toString()).toBe('late\n');
    expect(gaps(dir, 'stdout')).toEqual([[0, 6]]);
    expect(shimLog(dir)).not.toMatch(/closed filehandle/);
    expect(await run.ended).toBe(0);
  });
});

/** Starts the shim on an existing job dir the way the daemon does (optionally through a wrapper argv). */
async function startIn(dir: string, argv: string[] = shimCommand(dir), logPath = join(dir, 'shim.log')): Promise<{ dir: string; ended: Promise<number | null> }> {
  logs.set(dir, logPath);
  const log = openSync(logPath, 'a');
  const env = { ...process.env };
  delete env.PROCD_JOB_ID;
  let child: ChildProcess;
  try {
    child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', 'ignore', log], env });
  } finally {
    closeSync(log);
  }
  h.track(child.pid);
  const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { dir, ended };
}
