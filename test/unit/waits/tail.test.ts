// The last lines of a wait's answer: at most 10 lines and 4 KiB, a long line cut, earlier lines dropped first.

import { describe, expect, it } from 'vitest';
import { boundLines, TAIL_BYTES, TAIL_LINES } from '../../../daemon/waits/tail.js';

describe('boundLines', () => {
  it('keeps the last lines whole when they fit, without the final newline or CRs', () => {
    expect(boundLines('a\r\nb\nc\n')).toEqual({ lines: ['a', 'b', 'c'], truncated: false });
    expect(boundLines('')).toEqual({ lines: [], truncated: false });
    expect(boundLines('partial')).toEqual({ lines: ['partial'], truncated: false });
  });

  it('keeps at most TAIL_LINES lines, the last ones', () => {
    const text = Array.from({ length: 15 }, (_, i) => `line ${i + 1}`).join('\n');
    const t = boundLines(text);
    expect(t.lines).toHaveLength(TAIL_LINES);
    expect(t.lines[0]).toBe('line 6');
    expect(t.truncated).toBe(true);
  });

  it('cuts a long line and drops earlier lines to stay within TAIL_BYTES', () => {
    const t = boundLines(`${'x'.repeat(5000)}\n${'y'.repeat(900)}\n`.repeat(4));
    expect(t.truncated).toBe(true);
    expect(t.lines.every((l) => l.length <= 1000)).toBe(true);
    expect(t.lines.at(-1)).toBe('y'.repeat(900));
    expect(t.lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0)).toBeLessThanOrEqual(TAIL_BYTES);
  });
});
