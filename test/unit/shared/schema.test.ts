import { describe, expect, it } from 'vitest';
import { methods } from '../../../shared/methods.js';

const parse = (method: keyof typeof methods, params: unknown) => methods[method].params.parse(params, 'params');

describe('method param schemas', () => {
  it('accepts good track params and drops nothing', () => {
    const r = parse('track', { argv: ['sleep', '1'], cwd: '/tmp', env: { A: 'b' }, tags: ['x'], timeoutMs: 5 });
    expect(r).toEqual({ ok: true, value: { argv: ['sleep', '1'], cwd: '/tmp', env: { A: 'b' }, tags: ['x'], timeoutMs: 5 } });
  });

  it('names the bad field and what was expected', () => {
    const r = parse('track', { argv: ['sleep', 1], cwd: '/tmp' });
    expect(r).toMatchObject({ ok: false, issue: { path: 'params.argv[1]' } });
    expect(parse('track', { argv: ['x'], cwd: 'relative' })).toMatchObject({ ok: false, issue: { path: 'params.cwd', expected: 'an absolute directory path' } });
    expect(parse('kill', { jobs: [] })).toMatchObject({ ok: false, issue: { path: 'params.jobs' } });
    expect(parse('status', {})).toMatchObject({ ok: false, issue: { path: 'params.job' } });
  });

  it('refuses unknown fields (typos) instead of ignoring them', () => {
    expect(parse('list', { al: true })).toMatchObject({ ok: false, issue: { path: 'params.al' } });
  });

  it('accepts a job ref as id or name, not as a float or an empty string', () => {
    expect(parse('status', { job: 3 }).ok).toBe(true);
    expect(parse('status', { job: 'web' }).ok).toBe(true);
    expect(parse('status', { job: 1.5 }).ok).toBe(false);
    expect(parse('status', { job: '' }).ok).toBe(false);
  });

  it('rejects NUL bytes in strings (they cannot reach execve)', () => {
    expect(parse('track', { argv: ['a\0b'], cwd: '/' })).toMatchObject({ ok: false, issue: { path: 'params.argv[0]' } });
  });
});
