// The log pane's lines: split at newlines across chunks, a carriage return shows what follows it,
// colour codes dropped and every other control character escaped, at most `cap` lines kept.

import { describe, expect, it } from 'vitest';
import { appendLog, emptyLog, logLines } from '../../../../client/cli/top/log-buffer.js';

describe('appendLog', () => {
  it('joins a line split across chunks and shows the unfinished last line', () => {
    const b = emptyLog();
    expect(appendLog(b, 'hel')).toBe(0);
    expect(logLines(b)).toEqual(['hel']);
    expect(appendLog(b, 'lo\nwor')).toBe(1);
    expect(logLines(b)).toEqual(['hello', 'wor']);
  });
  it('a progress line shows its last state; CRLF ends a line', () => {
    const b = emptyLog();
    appendLog(b, '10%\r50%\r100%\nok\r\n');
    expect(logLines(b)).toEqual(['100%', 'ok']);
  });
  it('never passes an escape sequence to the terminal', () => {
    const b = emptyLog();
    appendLog(b, '\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2J\tx\n');
    const [line] = logLines(b);
    expect(line).not.toMatch(/\p{Cc}/u);
    expect(line).toBe('red \\x1b]0;title\\x07 \\x1b[2J    x');
  });
  it('keeps the last `cap` lines', () => {
    const b = emptyLog();
    appendLog(b, 'a\nb\nc\nd\n', 2);
    expect(logLines(b)).toEqual(['c', 'd']);
  });
});
