// The progress marker line: what parses, what must not (near-misses), and the scanner that finds
// marker lines in stdout chunk by chunk — split anywhere, after dropped bytes, in a huge line.

import { describe, expect, it } from 'vitest';
import { freshMarkerScan, MARKER_MAX_BYTES, parseMarker, scanMarkers } from '../../../daemon/progress/marker.js';

describe('parseMarker', () => {
  it.each([
    ['::procd progress 67', { done: 67, total: null }],
    ['::procd progress 67%', { done: 67, total: null }],
    ['::procd progress 33.5', { done: 33.5, total: null }],
    ['::procd progress 0', { done: 0, total: null }],
    ['::procd progress 100', { done: 100, total: null }],
    ['::procd progress 67/200', { done: 67, total: 200 }],
    ['::procd progress 200/200', { done: 200, total: 200 }],
    ['::procd progress 67/200 phase=URL 2 of 3', { done: 67, total: 200, phase: 'URL 2 of 3' }],
    ['::procd progress 5 phase=', { done: 5, total: null, phase: '' }],
    ['::procd progress 5 phase=compile\r', { done: 5, total: null, phase: 'compile' }],
    ['::procd progress 5   ', { done: 5, total: null }],
  ])('%j is a report', (line, report) => {
    expect(parseMarker(line)).toEqual({ kind: 'report', report });
  });

  it.each([
    'procd progress 67',
    ' ::procd progress 67',
    '\x1b[32m::procd progress 67',
    ':: procd progress 67',
    '::PROCD progress 67',
    '::procd  Progress 67',
    'log: ::procd progress 67',
    '',
    'progress 67%',
  ])('%j is not a marker at all', (line) => {
    expect(parseMarker(line)).toBeNull();
  });

  it.each([
    ['::procd progress', /not "::procd progress/],
    ['::procd progressive build', /not "::procd progress/],
    ['::procd progress  67', /not/],
    ['::procd progress -5', /not/],
    ['::procd progress 67 %', /not/],
    ['::procd progress 67/200 extra', /not/],
    ['::procd progress 1e3', /not/],
    ['::procd progress 150', /more than 100%/],
    ['::procd progress 201/200', /more than the total 200/],
    ['::procd progress 5/0', /total 0 must be a number above 0/],
    ['::procd progress 5 phase=a\tb', /control character/],
    [`::procd progress 5 phase=${'x'.repeat(201)}`, /longer than 200/],
  ])('%j starts like a marker but is refused (%s)', (line, reason) => {
    const parsed = parseMarker(line);
    expect(parsed?.kind).toBe('invalid');
    expect(parsed?.kind === 'invalid' && parsed.reason).toMatch(reason);
  });
});

/** Feeds `text` in pieces of `size` bytes and collects the marker lines found. */
function scanInPieces(text: string | Buffer, size: number): string[] {
  const data = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const state = freshMarkerScan();
  const found: string[] = [];
  for (let i = 0; i < data.length; i += size) found.push(...scanMarkers(state, data.subarray(i, i + size)));
  return found;
}

describe('scanMarkers', () => {
  const output = 'building\n::procd progress 10\nstep ::procd progress 99\n::procd progress 20/40 phase=link\r\n::procd progr\n::procd progress 30';

  it('finds complete marker lines at the start of a line, wherever the chunks split', () => {
    const expected = ['::procd progress 10', '::procd progress 20/40 phase=link'];
    for (const size of [1, 2, 3, 7, 16, 17, 1000]) expect(scanInPieces(output, size), `chunks of ${size}`).toEqual(expected);
  });

  it('takes a marker line once its newline arrives', () => {
    const state = freshMarkerScan();
    expect(scanMarkers(state, Buffer.from('::procd progress 30'))).toEqual([]);
    expect(scanMarkers(state, Buffer.from(' phase=x'))).toEqual([]);
    expect(scanMarkers(state, Buffer.from('\nok\n'))).toEqual(['::procd progress 30 phase=x']);
  });

  it('starts mid-line after dropped bytes: the rest of that line is never a marker', () => {
    const state = freshMarkerScan();
    expect(scanMarkers(state, Buffer.from('::procd progress 40\n::procd progress 50\n'), 10)).toEqual(['::procd progress 50']);
  });

  it('ignores a huge line and keeps at most MARKER_MAX_BYTES between chunks', () => {
    const huge = `::procd progress 5 phase=${'y'.repeat(1 << 20)}\n::procd progress 60\n`;
    const state = freshMarkerScan();
    const found: string[] = [];
    const data = Buffer.from(huge);
    for (let i = 0; i < data.length; i += 64 * 1024) {
      found.push(...scanMarkers(state, data.subarray(i, i + 64 * 1024)));
      expect(state.carry?.length ?? 0).toBeLessThanOrEqual(MARKER_MAX_BYTES);
    }
    expect(found).toEqual(['::procd progress 60']);
    // A huge line without any marker: nothing carried at all.
    const plain = freshMarkerScan();
    expect(scanMarkers(plain, Buffer.alloc(4 << 20, 0x61))).toEqual([]);
    expect(plain.carry).toBeNull();
    expect(scanMarkers(plain, Buffer.from('\n::procd progress 70\n'))).toEqual(['::procd progress 70']);
  });

  it('finds thousands of markers among ordinary lines in one chunk', () => {
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) lines.push(`line ${i}`, `::procd progress ${i % 101}`);
    const found = scanInPieces(`${lines.join('\n')}\n`, 1 << 20);
    expect(found).toHaveLength(5000);
    expect(found[4999]).toBe(`::procd progress ${4999 % 101}`);
  });
});
