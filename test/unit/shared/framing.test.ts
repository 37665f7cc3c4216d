import { describe, expect, it } from 'vitest';
import { LineDecoder } from '../../../shared/framing.js';

describe('LineDecoder', () => {
  it('joins lines split across chunks and splits several lines in one chunk', () => {
    const d = new LineDecoder(100);
    expect(d.push(Buffer.from('{"a":'))).toEqual([]);
    expect(d.push(Buffer.from('1}\n{"b":2}\n{"c"'))).toEqual([
      { kind: 'line', text: '{"a":1}' },
      { kind: 'line', text: '{"b":2}' },
    ]);
    expect(d.push(Buffer.from(':3}\n'))).toEqual([{ kind: 'line', text: '{"c":3}' }]);
  });

  it('keeps multi-byte characters split across chunks intact', () => {
    const d = new LineDecoder(100);
    const bytes = Buffer.from('"é€"\n');
    expect(d.push(bytes.subarray(0, 2))).toEqual([]);
    expect(d.push(bytes.subarray(2))).toEqual([{ kind: 'line', text: '"é€"' }]);
  });

  it('reports an oversize line once and recovers at the next newline', () => {
    const d = new LineDecoder(10);
    const frames = d.push(Buffer.from('x'.repeat(25)));
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ kind: 'oversize' });
    expect((frames[0] as { bytes: number }).bytes).toBeGreaterThan(10);
    expect(d.push(Buffer.from('yyy\nok\n'))).toEqual([{ kind: 'line', text: 'ok' }]);
  });
});
