import { describe, expect, it } from 'vitest';
import { bounded, clip, errorCode, formatTimeout } from '../../../daemon/probes/checks/common.js';

describe('checker helpers', () => {
  it('shows timeouts the way they are written', () => {
    expect(formatTimeout(1000)).toBe('1s');
    expect(formatTimeout(1500)).toBe('1.5s');
    expect(formatTimeout(250)).toBe('250ms');
    expect(formatTimeout(1234)).toBe('1234ms');
  });

  it('clips a detail to one line of at most 200 characters', () => {
    expect(clip('a\nb\tc\r')).toBe('a b c');
    const long = clip('z'.repeat(1000));
    expect(long.length).toBe(200);
    expect(long.endsWith('…')).toBe(true);
  });

  it('takes the code of an error, also from inside an AggregateError', () => {
    expect(errorCode(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(errorCode(new AggregateError([new Error('no code'), Object.assign(new Error('y'), { code: 'EHOSTUNREACH' })], 'all failed'))).toBe('EHOSTUNREACH');
    expect(errorCode(new Error('plain message'))).toBe('plain message');
    expect(errorCode('a string')).toBe('a string');
  });

  it('turns a rejection into a failed check, and a late answer into a timeout', async () => {
    expect(await bounded(Promise.reject(Object.assign(new Error('boom'), { code: 'EIO' })), 5000)).toEqual({ ok: false, detail: 'check failed: EIO' });
    expect(await bounded(new Promise(() => {}), 10)).toEqual({ ok: false, detail: 'timed out after 10ms' });
    expect(await bounded(Promise.resolve({ ok: true, detail: 'fine' }), 5000)).toEqual({ ok: true, detail: 'fine' });
  });
});
