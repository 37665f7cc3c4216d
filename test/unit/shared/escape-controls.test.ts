import { describe, expect, it } from 'vitest';
import { escapeControls } from '../../../shared/escape-controls.js';

describe('escapeControls', () => {
  it('escapes exactly the characters of \\p{Cc}, over every code point', () => {
    const control = /^\p{Cc}$/u;
    const wrong: number[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue; // lone surrogates are not text
      const ch = String.fromCodePoint(cp);
      if ((escapeControls(ch) !== ch) !== control.test(ch)) wrong.push(cp);
    }
    expect(wrong).toEqual([]);
  });

  it('writes newline, tab and carriage return by name, the others as \\xHH', () => {
    expect(escapeControls('a\nb\tc\rd\x1b[31m\x7f\x9f')).toBe('a\\nb\\tc\\rd\\x1b[31m\\x7f\\x9f');
  });

  it('returns text without control characters as it is (emoji and accents included)', () => {
    const text = 'naïve 🚀 — “quoted” …';
    expect(escapeControls(text)).toBe(text);
  });
});
