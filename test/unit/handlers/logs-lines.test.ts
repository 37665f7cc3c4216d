// The --grep regex a filtered logs read runs on the daemon's event loop: refused when its shape
// can backtrack exponentially, matched without a leading/trailing `.*` (same lines, far less work)
// and on a line's first MATCH_CHARS characters.

import { describe, expect, it } from 'vitest';
import { lineFilter, unanchoredCore } from '../../../daemon/handlers/logs-lines.js';
import { MATCH_CHARS } from '../../../shared/log-budget.js';

describe('unanchoredCore', () => {
  it('drops a leading and a trailing .* (lazy too), which cannot change whether a line matches', () => {
    expect(unanchoredCore('.*error.*timeout')).toBe('error.*timeout');
    expect(unanchoredCore('.*?error.*')).toBe('error');
    expect(unanchoredCore('.*.*x.*.*')).toBe('x');
    expect(unanchoredCore('.*')).toBe('.*');
  });

  it('keeps an escaped dot and anything that is not a bare .*', () => {
    expect(unanchoredCore('a\\.*')).toBe('a\\.*');
    expect(unanchoredCore('a\\\\.*')).toBe('a\\\\');
    expect(unanchoredCore('[.*]')).toBe('[.*]');
    expect(unanchoredCore('(.*)x')).toBe('(.*)x');
  });
});

describe('lineFilter', () => {
  const match = (grep: string, ignoreCase = false) => lineFilter({ grep, ignoreCase }).spec.match!;

  it('matches as the regex would, with -i', () => {
    expect(match('.*error.*timeout')('an error then a timeout', 0)).toBe(true);
    expect(match('.*error.*timeout')('a timeout then an error', 0)).toBe(false);
    expect(match('ERROR', true)('an error', 0)).toBe(true);
  });

  it('matches a line on its first MATCH_CHARS characters', () => {
    const m = match('tail$|^x+y');
    expect(m(`${'x'.repeat(MATCH_CHARS - 1)}y`, 0)).toBe(true);
    expect(m(`${'x'.repeat(MATCH_CHARS)}y`, 0)).toBe(false);
  });

  it('refuses exponential shapes, invalid regexes and context without grep with InvalidParams', () => {
    expect(() => lineFilter({ grep: '(a+)+$' })).toThrow(expect.objectContaining({ code: -32602, message: expect.stringMatching(/lines\.grep: refused/) }));
    expect(() => lineFilter({ grep: '(x|xy)*z' })).toThrow(expect.objectContaining({ code: -32602 }));
    expect(() => lineFilter({ grep: '[' })).toThrow(expect.objectContaining({ code: -32602, message: expect.stringMatching(/not a valid regular expression/) }));
    expect(() => lineFilter({ context: 1 })).toThrow(expect.objectContaining({ code: -32602, message: expect.stringMatching(/context needs grep/) }));
  });
});
