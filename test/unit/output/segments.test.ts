import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cursorAtTime, readInterleaved, readOutputInfo, readStream, streamInfo, tailCursor, type Cursor, type StreamChunk } from '../../../daemon/output/segments.js';
import { FIXTURES, Harness, waitClosed } from './shim-harness.js';

const h = new Harness();
afterEach(() => h.cleanup());

const text = (chunks: StreamChunk[]) => chunks.map((c) => `${c.stream}:${c.data.toString('latin1')}`);

async function fromCursor(dir: string, cursor: Cursor): Promise<string[]> {
  return text((await readInterleaved(dir, cursor, 1 << 24)).chunks);
}

async function job(argv: string[], over = {}): Promise<string> {
  const run = await h.start(h.defaults(argv, over));
  await waitClosed(run.dir);
  return run.dir;
}

/** A job dir written by hand: segments as [stream, offset, content] and index text. */
function synthetic(segs: [string, number, string][], index: string): string {
  const dir = h.tempDir();
  mkdirSync(join(dir, 'out'));
  for (const [stream, off, content] of segs) writeFileSync(join(dir, 'out', `${stream}.${String(off).padStart(16, '0')}`), content, 'latin1');
  writeFileSync(join(dir, 'out', 'index.0000000000000000'), index);
  return dir;
}

describe('tailCursor', () => {
  it('counts a trailing partial line as a line, and a final newline as the end of the last line', async () => {
    const partial = await job(['printf', 'l1\nl2\nl3\nl4']);
    const c = await tailCursor(partial, 'stdout', 2);
    expect((await readStream(partial, 'stdout', c.stdout, 100)).data.toString()).toBe('l3\nl4');
    const full = await job(['printf', 'l1\nl2\nl3\n']);
    expect((await readStream(full, 'stdout', (await tailCursor(full, 'stdout', 1)).stdout, 100)).data.toString()).toBe('l3\n');
    expect((await tailCursor(full, 'stdout', 10)).stdout).toBe(0);
    expect((await tailCursor(full, 'stdout', 0)).stdout).toBe(9);
  });

  it('scans backwards across many segments and stops at the first kept byte when lines were dropped', async () => {
    const big = await job(['seq', '1', '100000'], { maxOutputBytes: 1 << 20, segmentBytes: 4096 });
    const info = await streamInfo(big, 'stdout');
    expect(info.end).toBe(588895);
    const c = await tailCursor(big, 'stdout', 5);
    expect((await readStream(big, 'stdout', c.stdout, 1000)).data.toString()).toBe('99996\n99997\n99998\n99999\n100000\n');
    const c2 = await tailCursor(big, 'stdout', 20000); // crosses several 64 KiB scan blocks and segments
    expect((await readStream(big, 'stdout', c2.stdout, 1 << 20)).data.toString()).toBe(Array.from({ length: 20000 }, (_, i) => `${80001 + i}\n`).join(''));

    const capped = await job(['seq', '1', '100000'], { maxOutputBytes: 64 * 1024, segmentBytes: 16 * 1024 });
    const start = (await streamInfo(capped, 'stdout')).start;
    expect(start).toBeGreaterThan(0);
    expect((await tailCursor(capped, 'stdout', 100000)).stdout).toBe(start);
  });

  it("finds the last lines of the interleaved view ('both')", async () => {
    const dir = await job(['perl', join(FIXTURES, 'out-alternate.pl'), '5']);
    const c = await tailCursor(dir, 'both', 3);
    expect(await fromCursor(dir, c)).toEqual(['stderr:err 4\n', 'stdout:out 5\n', 'stderr:err 5\n']);
    expect(await fromCursor(dir, await tailCursor(dir, 'both', 100))).toHaveLength(10);
    expect(await fromCursor(dir, await tailCursor(dir, 'both', 0))).toEqual([]);
  });
});

describe('readInterleaved', () => {
  it('gives the same bytes in the same order when read in tiny pieces', async () => {
    const dir = await job(['perl', join(FIXTURES, 'out-alternate.pl'), '20', 'binary']);
    const whole = await readInterleaved(dir, { stdout: 0, stderr: 0 }, 1 << 20);
    const pieces: StreamChunk[] = [];
    let cursor: Cursor = { stdout: 0, stderr: 0 };
    for (let i = 0; i < 1000; i++) {
      const r = await readInterleaved(dir, cursor, 3);
      if (r.chunks.length === 0) break;
      expect(r.chunks.reduce((n, ch) => n + ch.data.length, 0)).toBeLessThanOrEqual(3);
      pieces.push(...r.chunks);
      cursor = r.cursor;
    }
    expect(cursor).toEqual(whole.cursor);
    const merged: StreamChunk[] = [];
    for (const p of pieces) {
      const last = merged[merged.length - 1];
      if (last && last.stream === p.stream) last.data = Buffer.concat([last.data, p.data]);
      else merged.push({ ...p });
    }
    expect(merged).toEqual(whole.chunks);
  });

  it('shows bytes older than the oldest index entry stdout first, then stderr', async () => {
    const dir = synthetic(
      [
        ['stdout', 0, 'o1o2'],
        ['stderr', 0, 'e1e2'],
      ],
      '2000 o 2\n2001 e 2\n',
    );
    expect(await fromCursor(dir, { stdout: 0, stderr: 0 })).toEqual(['stdout:o1', 'stderr:e1', 'stdout:o2', 'stderr:e2']);
  });

  it('stops where the index knows more than the data read, so order is never broken', async () => {
    // The index says stdout bytes 2..4 came before stderr's, but only 2 stdout bytes are on disk yet.
    const dir = synthetic(
      [
        ['stdout', 0, 'ab'],
        ['stderr', 0, 'XY'],
      ],
      '1 o 0\n2 e 0\n3 o 4\n',
    );
    const first = await readInterleaved(dir, { stdout: 0, stderr: 0 }, 100);
    expect(text(first.chunks)).toEqual(['stdout:ab']);
    expect(first.cursor).toEqual({ stdout: 2, stderr: 0 });
    writeFileSync(join(dir, 'out', 'stdout.0000000000000000'), 'abcdef');
    expect(await fromCursor(dir, first.cursor)).toEqual(['stdout:cd', 'stderr:XY', 'stdout:ef']);
  });

  it('reports bytes the cap dropped under the cursor as skipped', async () => {
    const dir = synthetic([['stdout', 100, 'tail']], '5 o 0\n');
    const r = await readInterleaved(dir, { stdout: 10, stderr: 0 }, 100);
    expect(text(r.chunks)).toEqual(['stdout:tail']);
    expect(r.skipped).toBe(90);
    expect(r.cursor).toEqual({ stdout: 104, stderr: 0 });
    expect(await readOutputInfo(dir)).toMatchObject({ stdoutBytes: 104, stderrBytes: 0, droppedBytes: 100 });
  });

  it('handles a job that has written nothing (or has no out dir yet)', async () => {
    const dir = h.tempDir();
    expect(await streamInfo(dir, 'stdout')).toEqual({ start: 0, end: 0, mtimeMs: 0 });
    expect(await readInterleaved(dir, { stdout: 0, stderr: 0 }, 10)).toEqual({ chunks: [], cursor: { stdout: 0, stderr: 0 }, skipped: 0 });
    expect(await tailCursor(dir, 'both', 10)).toEqual({ stdout: 0, stderr: 0 });
    expect(await cursorAtTime(dir, Date.now())).toEqual({ stdout: 0, stderr: 0 });
    expect(await readOutputInfo(dir)).toEqual({ stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null });
  });
});

describe('cursorAtTime', () => {
  it('finds output by arrival time on a real job', async () => {
    // The child stamps each line with the time it wrote it; the pause exceeds the index interval.
    const script = 'use Time::HiRes; $|=1; printf "%d first\\n", Time::HiRes::time()*1000; print STDERR "warn\\n"; select(undef,undef,undef,1.5); printf "%d second\\n", Time::HiRes::time()*1000;';
    const dir = await job(['perl', '-e', script]);
    const all = (await readStream(dir, 'stdout', 0, 1000)).data.toString();
    const [t1, t2] = all.trim().split('\n').map((l) => Number(l.split(' ')[0]));
    const second = await fromCursor(dir, await cursorAtTime(dir, t2!));
    expect(second).toEqual([`stdout:${t2} second\n`]);
    expect(await fromCursor(dir, await cursorAtTime(dir, t1! - 60_000))).toEqual([`stdout:${t1} first\n`, 'stderr:warn\n', `stdout:${t2} second\n`]);
    const ends = await cursorAtTime(dir, t2! + 60_000);
    expect(ends).toEqual({ stdout: all.length, stderr: 5 });
  });

  it('includes at most one index interval of earlier bytes (synthetic index)', async () => {
    const dir = synthetic(
      [
        ['stdout', 0, 'AAAABBBB'],
        ['stderr', 0, 'cc'],
      ],
      '10000 o 0\n10500 e 0\n12000 o 4\n',
    );
    expect(await cursorAtTime(dir, 9000)).toEqual({ stdout: 0, stderr: 0 });
    expect(await cursorAtTime(dir, 10400)).toEqual({ stdout: 0, stderr: 0 });
    expect(await cursorAtTime(dir, 10600)).toEqual({ stdout: 4, stderr: 0 }); // stderr run may still be arriving
    expect(await cursorAtTime(dir, 11600)).toEqual({ stdout: 4, stderr: 2 });
    expect(await cursorAtTime(dir, 12500)).toEqual({ stdout: 4, stderr: 2 });
    expect(await cursorAtTime(dir, 13000)).toEqual({ stdout: 8, stderr: 2 });
  });
});
