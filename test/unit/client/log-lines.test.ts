// `procd logs --timestamps`: one prefix per line, also when a line arrives in several chunks.

import { describe, expect, it } from 'vitest';
import { LineStamper, stamp } from '../../../client/cli/log-lines.js';

describe('LineStamper', () => {
  it('prefixes each line that starts in a chunk with that chunk\'s time', () => {
    const s = new LineStamper();
    const t1 = Date.UTC(2026, 11, 3, 10, 0, 0, 5);
    const t2 = t1 + 300;
    const out = [s.apply(Buffer.from('one\ntwo\npar'), t1), s.apply(Buffer.from('tial\nlast'), t2), s.apply(Buffer.from('\n'), null)].map((x) => x.toString()).join('');
    expect(out).toBe('2026-12-03T10:00:00.005Z one\n2026-12-03T10:00:00.005Z two\n2026-12-03T10:00:00.005Z partial\n2026-12-03T10:00:00.305Z last\n');
  });

  it('marks a line of unknown time (or from an older daemon) with a dash of the same width', () => {
    expect(stamp(null)).toHaveLength(stamp(0).length);
    expect(stamp(undefined)).toBe(stamp(null)); // an older daemon's chunks carry no time
    expect(new LineStamper().apply(Buffer.from('x\n'), null).toString()).toMatch(/^- +x\n$/);
  });
});
