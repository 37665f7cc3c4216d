// Frames without flicker: the first frame clears and draws everything, later ones rewrite only the
// lines that changed (each cleared to its end), and an unchanged frame writes nothing.

import { describe, expect, it } from 'vitest';
import { frameBytes } from '../../../../client/cli/top/terminal.js';

describe('frameBytes', () => {
  it('draws the whole screen when the previous one is unknown', () => {
    expect(frameBytes(null, ['a', 'b'])).toBe('\x1b[H\x1b[2J\x1b[1;1Ha\x1b[0m\x1b[K\x1b[2;1Hb\x1b[0m\x1b[K');
  });
  it('rewrites only the lines that changed', () => {
    expect(frameBytes(['a', 'b', 'c'], ['a', 'B', 'c'])).toBe('\x1b[2;1HB\x1b[0m\x1b[K');
  });
  it('writes nothing for the same frame', () => {
    expect(frameBytes(['a', 'b'], ['a', 'b'])).toBe('');
  });
});
