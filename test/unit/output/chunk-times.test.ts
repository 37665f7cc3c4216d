// Arrival times per chunk: chunks read from the segments are split at the index entries inside them.

import { describe, expect, it } from 'vitest';
import { splitByArrival, withOffsets } from '../../../daemon/output/chunk-times.js';
import type { Entry } from '../../../daemon/output/segment-index.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const show = (pieces: { stream: string; data: Buffer; at: number | null }[]) => pieces.map((p) => `${p.stream}@${p.at}:${p.data.toString('latin1')}`);

describe('splitByArrival', () => {
  const entries: Entry[] = [
    { t: 1000, s: 'stdout', off: 0 },
    { t: 1050, s: 'stderr', off: 0 },
    { t: 1200, s: 'stdout', off: 4 },
    { t: 1300, s: 'stdout', off: 8 },
  ];

  it('gives each piece the time of the entry its first byte belongs to, split where a new entry starts', () => {
    expect(show(splitByArrival([{ stream: 'stdout', data: b('aaaabbbbcc'), from: 0 }], entries))).toEqual(['stdout@1000:aaaa', 'stdout@1200:bbbb', 'stdout@1300:cc']);
    expect(show(splitByArrival([{ stream: 'stdout', data: b('abbb'), from: 3 }], entries))).toEqual(['stdout@1000:a', 'stdout@1200:bbb']);
    expect(show(splitByArrival([{ stream: 'stderr', data: b('ee'), from: 0 }], entries))).toEqual(['stderr@1050:ee']);
  });

  it('has no time for bytes older than the oldest entry, and takes the last of entries at one offset', () => {
    const rolled: Entry[] = [
      { t: 2000, s: 'stdout', off: 10 },
      { t: 2100, s: 'stdout', off: 10 },
    ];
    expect(show(splitByArrival([{ stream: 'stdout', data: b('xxyy'), from: 8 }], rolled))).toEqual(['stdout@null:xx', 'stdout@2100:yy']);
  });

  it('finds where each chunk starts from the cursor after the read', () => {
    const chunks = [
      { stream: 'stdout' as const, data: b('ab') },
      { stream: 'stderr' as const, data: b('c') },
      { stream: 'stdout' as const, data: b('def') },
    ];
    expect(withOffsets(chunks, { stdout: 15, stderr: 3 }).map((c) => `${c.stream}:${c.from}`)).toEqual(['stdout:10', 'stderr:2', 'stdout:12']);
  });
});
