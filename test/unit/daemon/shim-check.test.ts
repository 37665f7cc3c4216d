// The daemon's start-up check that the job shim runs: real interpreters and scripts for checkShim,
// the pure verdict for each way it fails, and ShimHealth's re-check of a failed result.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { checkShim, judgeShimCheck, ShimHealth, type ShimCheck } from '../../../daemon/shim-check.js';

// shim-runner's SHIM_PATH is right from dist/ only; the tests run the sources.
const SHIM_PATH = fileURLToPath(new URL('../../../daemon/shim/procd-shim.pl', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'procd-shim-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkShim (real processes)', () => {
  it('passes with the perl on PATH and says which perl and clock it found', async () => {
    const r = await checkShim('perl', SHIM_PATH);
    expect(r).toMatchObject({ ok: true, interpreter: 'perl', script: SHIM_PATH, error: null, fix: null });
    expect(r.detail).toMatch(/^perl 5\.[0-9.]+ clock=hires$/);
  });

  it('names a missing interpreter and says to set PROCD_PERL', async () => {
    const r = await checkShim('/nonexistent/perl', SHIM_PATH);
    expect(r.ok).toBe(false);
    expect(r.error).toBe('the perl interpreter "/nonexistent/perl" was not found');
    expect(r.fix).toMatch(/PROCD_PERL/);
  });

  it('names a perl module the interpreter cannot load', async () => {
    const script = join(dir, 'needs-module.pl');
    writeFileSync(script, 'use No::Such::Module;\nprint "ok\\n";\n');
    const r = await checkShim('perl', script);
    expect(r).toMatchObject({ ok: false, error: 'the shim needs the perl module No::Such::Module, which "perl" cannot load' });
  });

  it('names a missing shim script', async () => {
    const r = await checkShim('perl', join(dir, 'missing.pl'));
    expect(r.ok).toBe(false);
    expect(r.error).toContain('cannot be read');
    expect(r.fix).toMatch(/reinstall procd/);
  });

  it('fails an interpreter that exits without saying ok, and one that hangs', async () => {
    const r = await checkShim('false', SHIM_PATH);
    expect(r).toMatchObject({ ok: false, error: `"false ${SHIM_PATH} --check" exited with code 1 without saying ok` });
    const hang = join(dir, 'hang');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(hang, 0o755);
    const t = await checkShim(hang, SHIM_PATH, 300);
    expect(t.ok).toBe(false);
    expect(t.error).toContain('did not finish in time');
  });
});

describe('judgeShimCheck', () => {
  const judge = (o: Partial<Parameters<typeof judgeShimCheck>[2]>) =>
    judgeShimCheck('perl', '/s.pl', { spawnError: null, exitCode: 0, timedOut: false, stdout: '', stderr: '', ...o });

  it('needs both exit code 0 and the ok line', () => {
    expect(judge({ stdout: 'ok perl 5.36.0 clock=syscall\n' })).toMatchObject({ ok: true, detail: 'perl 5.36.0 clock=syscall' });
    expect(judge({ stdout: 'ok perl\n', exitCode: 2 }).ok).toBe(false);
    expect(judge({ stdout: 'hello\n' }).ok).toBe(false);
  });

  it('tells a non-executable interpreter from a missing one', () => {
    expect(judge({ spawnError: 'EACCES', exitCode: null }).error).toBe('cannot run the perl interpreter "perl": EACCES');
  });
});

describe('ShimHealth', () => {
  const results: ShimCheck[] = [];
  const logged: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });
  const command = { kind: 'perl' as const, file: 'perl', args: ['/s.pl'] };
  const bad: ShimCheck = { ok: false, kind: 'perl', interpreter: 'perl', script: '/s.pl', detail: null, error: 'gone', fix: 'install it', why: 'PROCD_SHIM=perl', command };
  const good: ShimCheck = { ok: true, kind: 'perl', interpreter: 'perl', script: '/s.pl', detail: 'perl 5', error: null, fix: null, why: 'PROCD_SHIM=perl', command };

  it('checks a failed result again when asked, keeps a passed one, and logs each change once', async () => {
    let runs = 0;
    const health = new ShimHealth(logger, async () => (runs++, results.shift()!));
    results.push(bad, bad, good);
    expect(await health.refresh()).toBe(bad);
    expect(await health.current()).toBe(bad); // checked again: still failing, not logged again
    expect(await health.current()).toBe(good);
    expect(await health.current()).toBe(good);
    expect(runs).toBe(3);
    expect(logged.map((l) => JSON.parse(l).msg)).toEqual(['the job shim cannot run, so no job can start: gone; install it', 'the job shim runs again']);
  });

  it('chooses again when the chosen native shim has been removed since (auto then falls back to Perl)', async () => {
    const gone = join(dir, 'removed-procd-shim');
    writeFileSync(gone, '');
    const native: ShimCheck = { ...good, kind: 'native', interpreter: gone, script: '', why: 'compiled', command: { kind: 'native', file: gone, args: [] } };
    const choices = [native, good];
    const health = new ShimHealth(logger, async () => choices.shift()!);
    expect(await health.command()).toEqual(native.command);
    expect(await health.command()).toEqual(native.command); // still there: no re-check
    rmSync(gone);
    expect(await health.command()).toEqual(command);
    expect(choices).toEqual([]);
  });
});
