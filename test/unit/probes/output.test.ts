import { appendFileSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOutputCheck, feedLines, freshLineState, MAX_LINE_BYTES, READ_BYTES } from '../../../daemon/probes/checks/output.js';
import { waitFor } from '../../helpers/wait-for.js';
import { Harness } from '../output/shim-harness.js';
import { target } from './target.js';

const h = new Harness();
afterEach(() => h.cleanup());

const output = (pattern: string, dir: string, flags = '') => createOutputCheck({ kind: 'output', pattern, flags }, target({ dir }));

/** A segment file in the shim's format: <dir>/out/<stream>.<16-digit global offset of its first byte>. */
function segment(dir: string, stream: 'stdout' | 'stderr', offset: number): string {
  mkdirSync(join(dir, 'out'), { recursive: true });
  return join(dir, 'out', `${stream}.${String(offset).padStart(16, '0')}`);
}

describe('output check on a real job (the Perl shim writing the segments)', () => {
  it('matches a line written before the first check, and a later one only once it is written', async () => {
    const dir = h.tempDir();
    const go = join(dir, 'go');
    // The job prints a line at once, then waits for the test's go file before printing `ready` on stderr.
    const run = await h.start(h.defaults(['/bin/sh', '-c', `echo starting up; while [ ! -e '${go}' ]; do sleep 0.05; done; echo 'server ready on :8080' >&2; sleep 60`]));
    const starting = output('^starting', run.dir);
    await waitFor(async () => (await starting.run(10_000)).ok, { what: 'the first line to be seen' });

    const ready = output('ready on :(\\d+)', run.dir);
    const before = await ready.run(10_000);
    expect(before.ok).toBe(false);
    expect(before.detail).toMatch(/^no line matched \/ready on :\(\\d\+\)\/ \(\d+ new lines?\)$/);
    writeFileSync(go, '');
    const seen = await waitFor(async () => {
      const r = await ready.run(10_000);
      return r.ok ? r : null;
    }, { what: 'the ready line to be matched' });
    expect(seen.detail).toBe('server ready on :8080');
    // Since the previous check nothing new was written: a heartbeat would now be missing.
    expect(await ready.run(10_000)).toEqual({ ok: false, detail: 'no line matched /ready on :(\\d+)/ (0 new lines)' });
    ready.close();
    starting.close();
  });
});

describe('output check on segment files', () => {
  it('waits for the newline: a partial line is matched once it is complete', async () => {
    const dir = h.tempDir();
    const file = segment(dir, 'stdout', 0);
    writeFileSync(file, 'booting\nlisten');
    const check = output('^listening$', dir);
    expect(await check.run(5000)).toEqual({ ok: false, detail: 'no line matched /^listening$/ (1 new line)' });
    appendFileSync(file, 'ing\r\n');
    expect(await check.run(5000)).toEqual({ ok: true, detail: 'listening' });
  });

  it('uses the flags', async () => {
    const dir = h.tempDir();
    writeFileSync(segment(dir, 'stderr', 0), 'Server READY\n');
    expect((await output('server ready', dir).run(5000)).ok).toBe(false);
    expect(await output('server ready', dir, 'i').run(5000)).toEqual({ ok: true, detail: 'Server READY' });
  });

  it('skips the fragment after bytes the output cap dropped, and says so', async () => {
    const dir = h.tempDir();
    // The cap dropped offsets 0..99: the kept segment starts mid-line ("...ready"), then a whole line.
    writeFileSync(segment(dir, 'stdout', 100), 'tail of an old line: ready\nnothing here\n');
    const check = output('ready', dir);
    expect(await check.run(5000)).toEqual({ ok: false, detail: 'no line matched /ready/ (1 new line; 100 bytes dropped by the output cap)' });
  });

  it('skips the fragment when the cap drops bytes between two checks', async () => {
    const dir = h.tempDir();
    const first = segment(dir, 'stdout', 0);
    writeFileSync(first, 'line one\npartial ');
    const check = output('ready', dir);
    expect((await check.run(5000)).ok).toBe(false);
    // The shim moves on to a new segment and the cap deletes the old one: offsets 0..29 are gone.
    writeFileSync(segment(dir, 'stdout', 30), 'still the old line, ready\nready for real\n');
    unlinkSync(first);
    expect(await check.run(5000)).toEqual({ ok: true, detail: 'ready for real' });
  });

  it('matches an over-long line on its first 64 KiB and skips the rest of it', async () => {
    const dir = h.tempDir();
    const file = segment(dir, 'stdout', 0);
    writeFileSync(file, `${'x'.repeat(MAX_LINE_BYTES + 10)}MARK`);
    const long = await output('x{100}', dir).run(5000);
    expect(long.ok).toBe(true);
    expect(long.detail.length).toBeLessThanOrEqual(200);
    const mark = output('MARK', dir);
    // MARK lies beyond the first 64 KiB of its line: not matched.
    expect(await mark.run(5000)).toEqual({ ok: false, detail: 'no line matched /MARK/ (1 new line)' });
    appendFileSync(file, ' MARK\nnext\n');
    // ' MARK' belongs to the over-long line and is skipped; only `next` is a new line.
    expect(await mark.run(5000)).toEqual({ ok: false, detail: 'no line matched /MARK/ (1 new line)' });
  });

  it('reads at most READ_BYTES per stream per check, and the rest at the next check', async () => {
    const dir = h.tempDir();
    const line = `${'f'.repeat(1023)}\n`;
    writeFileSync(segment(dir, 'stdout', 0), `${line.repeat((READ_BYTES / 1024) * 2)}the end\n`);
    const check = output('the end', dir);
    expect(await check.run(10_000)).toEqual({ ok: false, detail: `no line matched /the end/ (${READ_BYTES / 1024} new lines)` });
    expect((await check.run(10_000)).ok).toBe(false);
    expect(await check.run(10_000)).toEqual({ ok: true, detail: 'the end' });
  });

  it('keeps a match found by a check that timed out for the next check', async () => {
    const dir = h.tempDir();
    // The ready line, then 2 MiB more: reading and matching that takes far longer than 1 ms.
    writeFileSync(segment(dir, 'stdout', 0), `ready\n${`${'f'.repeat(1023)}\n`.repeat(READ_BYTES / 1024 - 1)}`);
    const check = output('ready', dir);
    expect(await check.run(1)).toEqual({ ok: false, detail: 'timed out after 1ms reading the output' });
    expect(await check.run(10_000)).toEqual({ ok: true, detail: 'ready' });
  });

  it('fails (without throwing) when the output cannot be read', async () => {
    const dir = h.tempDir();
    mkdirSync(join(dir, 'out', 'stdout.0000000000000000'), { recursive: true }); // a directory where a segment should be
    const r = await output('x', dir).run(5000);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^cannot read the output: E[A-Z]+$/);
    rmSync(join(dir, 'out'), { recursive: true });
  });

  it('fails every check, without throwing, on a pattern that is not a regular expression', async () => {
    const r = await output('(', h.tempDir()).run(5000);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/^not a valid regular expression: /);
  });

  it('answers a job that has no output directory yet', async () => {
    expect(await output('x', h.tempDir()).run(5000)).toEqual({ ok: false, detail: 'no line matched /x/ (0 new lines)' });
  });
});

describe('feedLines', () => {
  const feed = (pieces: [string, number][]): string[] => {
    const state = freshLineState();
    const lines: string[] = [];
    for (const [text, skipped] of pieces) feedLines(state, Buffer.from(text), skipped, (l) => lines.push(l.toString()));
    return lines;
  };

  it('joins a line split across reads and strips one CR', () => {
    expect(feed([['a\nb', 0], ['c\r\n\nd', 0]])).toEqual(['a', 'bc', '']);
  });

  it('drops the fragment after a gap, also across reads', () => {
    expect(feed([['one\ntw', 0], ['o lost', 5], ['still lost\nthree\n', 0]])).toEqual(['one', 'three']);
  });
});
