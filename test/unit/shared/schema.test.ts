import { describe, expect, it } from 'vitest';
import { METHOD_SCHEMAS } from '../../../shared/schemas/methods.js';
import { parseAt } from '../../../shared/schemas/valid.js';

const parse = (method: keyof typeof METHOD_SCHEMAS, params: unknown) => parseAt(METHOD_SCHEMAS[method].params, params, 'params');

describe('method param schemas', () => {
  it('accepts good track params and drops nothing', () => {
    const r = parse('track', { argv: ['sleep', '1'], cwd: '/tmp', env: { A: 'b' }, tags: ['x'], timeoutMs: 5 });
    expect(r).toEqual({ ok: true, value: { argv: ['sleep', '1'], cwd: '/tmp', env: { A: 'b' }, tags: ['x'], timeoutMs: 5 } });
  });

  it('names the bad field and what was expected', () => {
    const r = parse('track', { argv: ['sleep', 1], cwd: '/tmp' });
    expect(r).toMatchObject({ ok: false, issue: { path: 'params.argv[1]', expected: 'a string' } });
    expect(parse('track', { argv: ['x'], cwd: 'relative' })).toMatchObject({ ok: false, issue: { path: 'params.cwd', expected: 'an absolute directory path' } });
    // the raw RPC needs cwd (the daemon cannot know the caller's directory; the library fills it in)
    expect(parse('track', { argv: ['x'] })).toEqual({ ok: false, issue: { path: 'params.cwd', expected: 'an absolute directory path (required)' } });
    expect(parse('status', {})).toMatchObject({ ok: false, issue: { path: 'params.job', expected: expect.stringMatching(/ or a job id or name \(required\)$/) } });
    expect(parse('status', 5)).toMatchObject({ ok: false, issue: { path: 'params', expected: 'an object (named parameters)' } });
    expect(parse('kill', { jobs: [] })).toMatchObject({ ok: false, issue: { path: 'params.jobs', expected: expect.stringMatching(/^an array of .* \(1\.\.1000 items\)$/) } });
    expect(parse('status', {})).toMatchObject({ ok: false, issue: { path: 'params.job' } });
    expect(parse('kill', { jobs: [1, 2, true] })).toMatchObject({ ok: false, issue: { path: 'params.jobs[2]', expected: expect.stringMatching(/or a job id or name$/) } });
    expect(parse('logs', { job: 1, cursor: { stdout: 0, stderr: -1 } })).toMatchObject({ ok: false, issue: { path: 'params.cursor.stderr', expected: 'an integer in 0..9007199254740991' } });
  });

  it('names a bad key of a map, and a bad value under its key', () => {
    expect(parse('track', { argv: ['x'], cwd: '/', env: { 'A=B': '1' } })).toEqual({ ok: false, issue: { path: 'params.env.A=B', expected: 'a key that is a variable name without "="' } });
    expect(parse('track', { argv: ['x'], cwd: '/', env: { PATH: 3 } })).toMatchObject({ ok: false, issue: { path: 'params.env.PATH', expected: 'a string' } });
  });

  it('refuses unknown fields (typos) instead of ignoring them, naming the known ones', () => {
    expect(parse('list', { al: true })).toEqual({ ok: false, issue: { path: 'params.al', expected: 'no such field (known: states, name, tag, project, owner, all, recentFinished)' } });
    expect(parse('logs', { job: 1, cursor: { stdout: 0, stderr: 0, x: 1 } })).toMatchObject({ ok: false, issue: { path: 'params.cursor.x' } });
  });

  it('accepts a job ref as id or name, not as a float or an empty string', () => {
    expect(parse('status', { job: 3 }).ok).toBe(true);
    expect(parse('status', { job: 'web' }).ok).toBe(true);
    expect(parse('status', { job: 1.5 }).ok).toBe(false);
    expect(parse('status', { job: '' }).ok).toBe(false);
  });

  it('rejects NUL bytes in strings (they cannot reach execve)', () => {
    expect(parse('track', { argv: ['a\0b'], cwd: '/' })).toMatchObject({ ok: false, issue: { path: 'params.argv[0]', expected: 'a string without NUL bytes' } });
  });

  it('every method example matches its params and result schemas (the examples in docs/protocol.md)', () => {
    for (const [name, s] of Object.entries(METHOD_SCHEMAS)) {
      expect(parseAt(s.params, s.example.params, `${name}.params`)).toMatchObject({ ok: true });
      expect(parseAt(s.result, s.example.result, `${name}.result`)).toMatchObject({ ok: true });
    }
  });
});
