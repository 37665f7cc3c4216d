import { describe, expect, it } from 'vitest';
import { sparkline, wantsAscii } from '../../../client/cli/sparkline.js';

describe('sparkline', () => {
  it('scales to the largest value, keeps zeros lowest and nulls blank', () => {
    expect(sparkline([0, 1, 2, 4, 8, null, 8])).toBe('▁▂▃▅█ █');
    expect(sparkline([0, 0, 0])).toBe('▁▁▁');
    expect(sparkline([null, null])).toBe('  ');
    expect(sparkline([])).toBe('');
  });

  it('a small non-zero value is never drawn as nothing', () => {
    expect(sparkline([1, 1000])).toBe('▂█');
  });

  it('draws with ASCII when asked or when the locale is not UTF-8', () => {
    expect(sparkline([0, 7, 14], true)).toBe('_=#');
    expect(wantsAscii({ PROCD_ASCII: '1', LANG: 'en_US.UTF-8' })).toBe(true);
    expect(wantsAscii({ LANG: 'C' })).toBe(true);
    expect(wantsAscii({ LC_ALL: 'de_DE.utf8' })).toBe(false);
    expect(wantsAscii({})).toBe(false);
  });
});
