import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeSpawnSpec, parseShimEvent, readExitFile, readStartedFile, writeSpawnSpec } from '../../../daemon/output/spawn-spec.js';
import { Harness } from './shim-harness.js';

const h = new Harness();
afterEach(() => h.cleanup());

describe('spawn spec', () => {
  it('encodes NUL-terminated fields in the documented order', () => {
    const buf = encodeSpawnSpec({ argv: ['echo', 'a\nb'], cwd: '/w', env: { A: '1=2', B: '' }, maxOutputBytes: 100, segmentBytes: 10 });
    expect(buf.toString()).toBe('procd-spawn-spec\x001\x00100\x0010\x00/w\x002\x00echo\x00a\nb\x002\x00A=1=2\x00B=\x00');
  });

  it('rejects what the format cannot carry, naming the field', () => {
    const base = { argv: ['x'], cwd: '/', env: {}, maxOutputBytes: 1, segmentBytes: 1 };
    expect(() => encodeSpawnSpec({ ...base, argv: [] })).toThrow(/argv/);
    expect(() => encodeSpawnSpec({ ...base, argv: ['x', 'a\0b'] })).toThrow(/argv\[1\].*NUL/);
    expect(() => encodeSpawnSpec({ ...base, env: { 'A=B': 'x' } })).toThrow(/'='/);
    expect(() => encodeSpawnSpec({ ...base, env: { A: 'x\0' } })).toThrow(/env A/);
    expect(() => encodeSpawnSpec({ ...base, maxOutputBytes: 0 })).toThrow(/maxOutputBytes/);
    expect(() => encodeSpawnSpec({ ...base, segmentBytes: 1.5 })).toThrow(/segmentBytes/);
    expect(() => encodeSpawnSpec({ ...base, cwd: '' })).toThrow(/cwd/);
  });

  it('writes the file with mode 0600 (it holds the environment), and no other file', async () => {
    const dir = h.tempDir();
    await writeSpawnSpec(dir, { argv: ['x'], cwd: '/', env: { SECRET: 's' }, maxOutputBytes: 1, segmentBytes: 1 });
    expect(statSync(join(dir, 'spawn.spec')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['spawn.spec']);
    expect(readFileSync(join(dir, 'spawn.spec'), 'utf8')).toContain('SECRET=s\0');
  });
});

describe('parseShimEvent', () => {
  it('parses every event kind', () => {
    expect(parseShimEvent('started 123 1700000000000')).toEqual({ type: 'started', pid: 123, at: 1700000000000 });
    expect(parseShimEvent('spawn_error ENOENT 5 command not found: x')).toEqual({ type: 'spawn_error', code: 'ENOENT', at: 5, message: 'command not found: x' });
    expect(parseShimEvent('exited 3 - 9')).toEqual({ type: 'exited', exitCode: 3, signal: null, at: 9 });
    expect(parseShimEvent('exited 139 11 9')).toEqual({ type: 'exited', exitCode: 139, signal: 11, at: 9 });
    expect(parseShimEvent('exited - - 9')).toEqual({ type: 'exited', exitCode: null, signal: null, at: 9 });
    expect(parseShimEvent('closed 10\r')).toEqual({ type: 'closed', at: 10 });
  });

  it('returns null for anything malformed', () => {
    for (const line of ['', 'started', 'started x 1', 'started 1 2 3', 'exited 1 2', 'exited a - 1', 'spawn_error enoent 1 m', 'closed', 'bogus 1']) {
      expect(parseShimEvent(line), line).toBeNull();
    }
  });
});

describe('status files', () => {
  it('reads absent and corrupt files as null and validates shapes', async () => {
    const dir = h.tempDir();
    expect(await readExitFile(dir)).toBeNull();
    expect(await readStartedFile(dir)).toBeNull();
    writeFileSync(join(dir, 'exit'), '{"pid":1,');
    expect(await readExitFile(dir)).toBeNull();
    writeFileSync(join(dir, 'exit'), '{"pid":1,"shimPid":2,"exitCode":0,"signal":null,"coreDumped":false,"startedAt":5,"at":7}');
    expect(await readExitFile(dir)).toEqual({ pid: 1, shimPid: 2, exitCode: 0, signal: null, coreDumped: false, startedAt: 5, at: 7 });
    writeFileSync(join(dir, 'exit'), '{"pid":null,"shimPid":2,"spawnError":{"code":"EACCES","message":"m"},"at":7}');
    expect(await readExitFile(dir)).toEqual({ pid: null, shimPid: 2, spawnError: { code: 'EACCES', message: 'm', step: 'exec' }, at: 7 });
  });
});
