// build-shim.mjs, run for real into a temp dir: it compiles the native shim with the system's
// compiler; without a compiler, or with one that fails, the build still succeeds and
// build.json says why there is no native shim (what `daemon status` shows).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../../build-shim.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'procd-build-shim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const hasCc = spawnSync(process.env.CC || 'cc', ['--version']).error === undefined;

function build(name: string, cc: string) {
  const out = join(dir, name);
  const r = spawnSync(process.execPath, [SCRIPT, '--out', out], { encoding: 'utf8', env: { ...process.env, CC: cc } });
  return { r, out, record: JSON.parse(readFileSync(join(out, 'build.json'), 'utf8')) as { built: boolean; reason: string | null } };
}

describe('build-shim.mjs', () => {
  it.skipIf(!hasCc)('compiles a native shim that answers --check', () => {
    const { r, out, record } = build('ok', process.env.CC || 'cc');
    expect(r.status).toBe(0);
    expect(record).toMatchObject({ built: true, reason: null });
    expect(spawnSync(join(out, 'procd-shim'), ['--check'], { encoding: 'utf8' }).stdout).toMatch(/^ok native /);
  });

  it('without a compiler: exit 0, no binary, and the reason recorded', () => {
    const { r, out, record } = build('none', join(dir, 'no-such-cc'));
    expect(r.status).toBe(0);
    expect(existsSync(join(out, 'procd-shim'))).toBe(false);
    expect(record).toEqual(expect.objectContaining({ built: false, reason: `no C compiler at build time (${join(dir, 'no-such-cc')}: ENOENT)` }));
  });

  it('with a compiler that fails: exit 0, no binary (not even an older one), the error recorded', () => {
    const fake = join(dir, 'bad-cc');
    writeFileSync(fake, '#!/bin/sh\n[ "$1" = --version ] && exit 0\necho "procd-shim.c:1: error: nope" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    const out = join(dir, 'bad');
    spawnSync('mkdir', ['-p', out]);
    writeFileSync(join(out, 'procd-shim'), 'stale');
    const { r, record } = build('bad', fake);
    expect(r.status).toBe(0);
    expect(existsSync(join(out, 'procd-shim'))).toBe(false);
    expect(record.built).toBe(false);
    expect(record.reason).toBe(`the C compiler (${fake}) failed: procd-shim.c:1: error: nope`);
  });
});
