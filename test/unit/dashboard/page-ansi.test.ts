// The output viewer's ANSI parser: SGR colours become classes, every other escape (OSC, cursor
// moves, DCS, 8-bit CSI) and control character is dropped, and HTML stays plain text.

import { describe, expect, it } from 'vitest';
import { parseAnsi, stripAnsi } from '../../../client/dashboard/assets/ansi.js';
import { LineAssembler, searchLines, toLines } from '../../../client/dashboard/assets/output-lines.js';

describe('parseAnsi', () => {
  it('turns SGR colour and style codes into classes and resets on 0', () => {
    expect(parseAnsi('\x1b[1;31mred bold\x1b[0m plain \x1b[42mon green\x1b[49m \x1b[94mbright')).toEqual([
      { text: 'red bold', classes: ['ansi-fg-1', 'ansi-bold'] },
      { text: ' plain ', classes: [] },
      { text: 'on green', classes: ['ansi-bg-2'] },
      { text: ' ', classes: [] },
      { text: 'bright', classes: ['ansi-fg-12'] },
    ]);
  });

  it('drops OSC titles and hyperlinks (BEL or ST ended), cursor moves, DCS and the 8-bit CSI', () => {
    const text = 'a\x1b]0;evil title\x07b\x1b]8;;http://x.test\x1b\\link\x1b]8;;\x1b\\c\x1b[2J\x1b[10;5Hd\x1bP1$r\x1b\\e\x9b31mf\x1b(Bg\x07\x08';
    const segs = parseAnsi(text);
    expect(segs).toEqual([{ text: 'ablinkcdefg', classes: [] }]);
    expect(stripAnsi(text)).toBe('ablinkcdefg');
  });

  it('an unterminated OSC swallows the rest rather than leak it', () => {
    expect(parseAnsi('ok\x1b]0;never ends')).toEqual([{ text: 'ok', classes: [] }]);
  });

  it('skips 256-colour and RGB arguments without misreading them as colours', () => {
    expect(parseAnsi('\x1b[38;5;31;1mx\x1b[48;2;1;2;3;4my')).toEqual([
      { text: 'x', classes: ['ansi-bold'] },
      { text: 'y', classes: ['ansi-bold', 'ansi-underline'] },
    ]);
  });

  it('leaves HTML as the text it is', () => {
    expect(parseAnsi('<script>alert(1)</script><img src=x onerror=alert(1)>')).toEqual([{ text: '<script>alert(1)</script><img src=x onerror=alert(1)>', classes: [] }]);
  });
});

describe('output lines', () => {
  it('joins a stream across chunks, keeps streams apart, and searches the text without escapes', () => {
    const lines = toLines([
      { stream: 'stdout', text: 'one\ntw' },
      { stream: 'stderr', text: 'oops\n' },
      { stream: 'stdout', text: 'o \x1b[31mred\x1b[0m\nlast' },
    ]);
    expect(lines.map((l) => [l.stream, l.plain])).toEqual([
      ['stdout', 'one'],
      ['stderr', 'oops'],
      ['stdout', 'two red'],
      ['stdout', 'last'],
    ]);
    expect(searchLines(lines, 'TWO red').map((l) => l.plain)).toEqual(['two red']);
    expect(searchLines(lines, '31m')).toEqual([]);
    expect(searchLines(lines, '  ')).toHaveLength(4);
  });

  it('follows piece by piece: each complete line once, unfinished ends per stream, a UTF-8 character split between reads whole', () => {
    const b64 = (bytes: number[] | string) => Buffer.from(typeof bytes === 'string' ? bytes : Uint8Array.from(bytes)).toString('base64');
    const a = new LineAssembler();
    const euro = [...Buffer.from('€')]; // 3 bytes
    expect(a.pushWire([{ stream: 'stdout', data: b64('one\nt') }, { stream: 'stderr', data: b64('err-') }]).map((l) => l.plain)).toEqual(['one']);
    expect(a.partial().map((l) => [l.stream, l.plain])).toEqual([['stdout', 't'], ['stderr', 'err-']]);
    expect(a.pushWire([{ stream: 'stdout', data: b64([0x77, 0x6f, ...euro.slice(0, 1)]) }])).toEqual([]);
    const next = a.pushWire([{ stream: 'stdout', data: b64([...euro.slice(1), 0x0a]) }, { stream: 'stderr', data: b64('\x1b[31mx\x1b[0m\n') }]);
    expect(next.map((l) => [l.stream, l.plain])).toEqual([['stdout', 'two€'], ['stderr', 'err-x']]);
    expect(next[1]!.segments).toEqual([{ text: 'err-', classes: [] }, { text: 'x', classes: ['ansi-fg-1'] }]);
    expect(a.partial()).toEqual([]);
  });
});
