// Which shim the daemon runs jobs with (PROCD_SHIM=native|perl|auto) and why, with real
// processes: the native binary `npm run build` compiled, the Perl script, and stand-ins for a
// native shim that is missing or broken.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkNativeShim, checkShim } from '../../../daemon/shim-check.js';
import { chooseShim, shimMode, type ShimChoiceDeps } from '../../../daemon/shim-choice.js';
import { nativeShimSkipReason } from '../output/shim-harness.js';

// shim-runner's paths are right from dist/ only; the tests run the sources.
const SHIM_PATH = fileURLToPath(new URL('../../../daemon/shim/procd-shim.pl', import.meta.url));
const NATIVE = fileURLToPath(new URL('../../../dist/shim/procd-shim', import.meta.url));
const noNative = nativeShimSkipReason();
const dir = mkdtempSync(join(tmpdir(), 'procd-shim-choice-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function deps(nativePath: string, build: object | null = null): ShimChoiceDeps {
  const buildFile = join(dir, `build-${Math.random().toString(36).slice(2)}.json`);
  if (build) writeFileSync(buildFile, JSON.stringify(build));
  return { nativePath, buildFile, checkPerl: () => checkShim('perl', SHIM_PATH), checkNative: (p) => checkNativeShim(p) };
}

describe('chooseShim', () => {
  it.skipIf(noNative !== null)(`auto (the default) runs the native shim when it is built and passes --check${noNative ? ` (skipped: ${noNative})` : ''}`, async () => {
    const c = await chooseShim({}, deps(NATIVE));
    expect(c).toMatchObject({ ok: true, kind: 'native', interpreter: NATIVE, script: '', command: { kind: 'native', file: NATIVE, args: [] } });
    expect(c.detail).toMatch(/^native [0-9.]+ clock=monotonic$/);
    expect(c.why).toBe('compiled at build time and passed its check; PROCD_SHIM=auto');
  });

  it('auto without a native shim runs Perl and says why the build made none', async () => {
    const c = await chooseShim({ PROCD_SHIM: 'auto' }, deps(join(dir, 'none'), { built: false, reason: 'no C compiler at build time (cc: ENOENT)' }));
    expect(c).toMatchObject({ ok: true, kind: 'perl', command: { kind: 'perl' } });
    expect(c.why).toBe('no C compiler at build time (cc: ENOENT); PROCD_SHIM=auto');
    const never = await chooseShim({}, deps(join(dir, 'none')));
    expect(never.why).toMatch(/^the native shim was not built \(no record of a build: run npm run build\)/);
  });

  it('auto with a native shim that fails its check runs Perl and names the failure', async () => {
    const broken = join(dir, 'broken-shim');
    writeFileSync(broken, '#!/bin/sh\necho "something else" >&2\nexit 3\n');
    chmodSync(broken, 0o755);
    const c = await chooseShim({}, deps(broken));
    expect(c).toMatchObject({ ok: true, kind: 'perl' });
    expect(c.why).toBe(`the native shim failed its check ("${broken} --check" exited with code 3: something else); PROCD_SHIM=auto`);
  });

  it.skipIf(noNative !== null)('PROCD_SHIM=perl runs Perl even when the native shim works', async () => {
    const c = await chooseShim({ PROCD_SHIM: 'perl' }, deps(NATIVE));
    expect(c).toMatchObject({ ok: true, kind: 'perl', why: 'PROCD_SHIM=perl', command: { kind: 'perl' } });
    expect(c.detail).toMatch(/^perl 5/);
  });

  it('PROCD_SHIM=native with no native shim fails (no silent fallback) and says what to do', async () => {
    const c = await chooseShim({ PROCD_SHIM: 'native' }, deps(join(dir, 'none')));
    expect(c).toMatchObject({ ok: false, kind: 'native', why: 'PROCD_SHIM=native', error: `the native shim ${join(dir, 'none')} does not exist` });
    expect(c.fix).toMatch(/npm run build.*PROCD_SHIM=perl/);
  });

  it('takes an unknown PROCD_SHIM as auto and says so', () => {
    expect(shimMode('NATIVE')).toEqual({ mode: 'native', note: 'PROCD_SHIM=native' });
    expect(shimMode('c')).toEqual({ mode: 'auto', note: 'PROCD_SHIM=c is not native, perl or auto: taken as auto' });
    expect(shimMode(undefined).mode).toBe('auto');
  });
});
