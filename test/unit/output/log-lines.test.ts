// Output as lines for filtered reads: split per stream at newlines, each with where it starts and
// when it arrived; a last line still being written is left for the next read.

import { describe, expect, it } from 'vitest';
import { cursorAtLine, splitLines } from '../../../daemon/output/log-lines.js';
import { LOG_LINE_MAX_BYTES } from '../../../shared/log-budget.js';
import { formatCursor, parseCursor } from '../../../shared/log-budget.js';

const piece = (stream: 'stdout' | 'stderr', text: string, at: number | null = 1) => ({ stream, data: Buffer.from(text), at });

describe('splitLines', () => {
  it('keeps each stream\'s lines apart when the streams interleave, with offsets and arrival times', () => {
    const { lines, next } = splitLines([piece('stdout', 'he', 10), piece('stderr', 'oops\n', 11), piece('stdout', 'llo\nbye\n', 12)], { stdout: 100, stderr: 7 }, false);
    expect(lines).toEqual([
      { stream: 'stderr', text: 'oops', at: 11, from: 7 },
      { stream: 'stdout', text: 'hello', at: 10, from: 100 },
      { stream: 'stdout', text: 'bye', at: 12, from: 106 },
    ]);
    expect(next).toEqual({ stdout: 110, stderr: 12 });
  });

  it('a last line without its newline waits for the next read unless the output is complete', () => {
    const open = splitLines([piece('stdout', 'a\npart')], { stdout: 0, stderr: 0 }, false);
    expect(open.lines.map((l) => l.text)).toEqual(['a']);
    expect(open.next.stdout).toBe(2);
    const done = splitLines([piece('stdout', 'a\npart')], { stdout: 0, stderr: 0 }, true);
    expect(done.lines.map((l) => l.text)).toEqual(['a', 'part']);
    expect(done.next.stdout).toBe(6);
  });

  it('cuts a line longer than LOG_LINE_MAX_BYTES into pieces of that size', () => {
    const long = 'x'.repeat(LOG_LINE_MAX_BYTES + 10);
    const { lines } = splitLines([piece('stdout', `${long}\nok\n`)], { stdout: 0, stderr: 0 }, false);
    expect(lines.map((l) => l.text.length)).toEqual([LOG_LINE_MAX_BYTES, 10, 2]);
    expect(lines[1]!.from).toBe(LOG_LINE_MAX_BYTES);
  });
});

describe('cursorAtLine', () => {
  it('puts each stream at its first line from the index on, else at the end of what was read', () => {
    const { lines, next } = splitLines([piece('stdout', 'a\n'), piece('stderr', 'e\n'), piece('stdout', 'b\n')], { stdout: 0, stderr: 0 }, false);
    expect(cursorAtLine(lines, 1, next)).toEqual({ stdout: 2, stderr: 0 });
    expect(cursorAtLine(lines, 2, next)).toEqual({ stdout: 2, stderr: 2 });
    expect(cursorAtLine(lines, 3, next)).toEqual(next);
  });
});

describe('the CLI cursor', () => {
  it('round-trips RUN.STDOUT.STDERR and refuses anything else', () => {
    expect(parseCursor(formatCursor({ run: 2, stdout: 2048, stderr: 5 }))).toEqual({ run: 2, stdout: 2048, stderr: 5 });
    for (const bad of ['', '1.2', '0.1.1', 'a.b.c', '1.-1.0', '1.2.3.4']) expect(parseCursor(bad)).toBeNull();
  });
});
