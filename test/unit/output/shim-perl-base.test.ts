// The shim's contract tests again, with a perl restricted to Debian's perl-base modules (slim
// images ship no Time::HiRes): every test of shim.test.ts and shim-disk.test.ts runs here too.

import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readExitFile, readStartedFile, writeSpawnSpec } from '../../../daemon/output/spawn-spec.js';
import { perlBaseOnly } from './perl-base.js';

const SHIM = fileURLToPath(new URL('../../../daemon/shim/procd-shim.pl', import.meta.url));
const base = perlBaseOnly();
const skip = 'skip' in base ? base.skip : null;
afterAll(() => {
  if ('dir' in base) rmSync(base.dir, { recursive: true, force: true });
});

if ('perl' in base) {
  // Read by shim-harness.ts when it is first loaded: the imports below come after this line.
  process.env.PROCD_TEST_SHIM_PERL = base.perl;
  process.env.PROCD_TEST_SHIM = 'perl';
  await import('./shim.test.js');
  await import('./shim-disk.test.js');
}

describe('procd-shim with perl-base alone', () => {
  it.skipIf(skip !== null)(`the wrapper really hides modules outside perl-base${skip ? ` (skipped: ${skip})` : ''}`, () => {
    if (!('perl' in base)) return;
    const script = (name: string, code: string) => {
      writeFileSync(join(base.dir, name), code);
      return spawnSync(base.perl, [join(base.dir, name)], { encoding: 'utf8' });
    };
    const hires = script('hires.pl', 'require Time::HiRes; print "loaded"');
    expect(hires.status).not.toBe(0);
    expect(hires.stderr).toContain("Can't locate Time/HiRes.pm");
    expect(script('core.pl', 'use strict; use Errno (); use Fcntl (); require POSIX; require IO::Handle; print "ok"').stdout).toBe('ok');
  });

  // gettimeofday/clock_gettime through syscall() where perl-base's perl knows the numbers, else /proc/uptime.
  const syscallArch = process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64');

  it.skipIf(skip !== null)('--check loads everything the shim needs and names the clock it found without Time::HiRes', () => {
    if (!('perl' in base)) return;
    const r = spawnSync(base.perl, [SHIM, '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ok perl [0-9.]+ clock=${syscallArch ? 'syscall' : 'uptime'}\n$`));
  });

  // early: how much earlier than the true time an epoch timestamp may be.
  for (const { clock, early } of [
    { clock: 'syscall', early: 0 },
    { clock: 'uptime', early: 1000 },
  ]) {
    const why = skip ?? (clock === 'syscall' && !syscallArch ? `no syscall numbers for ${process.platform}/${process.arch}` : null);
    it.skipIf(why !== null)(`the ${clock} clock gives epoch times at most ${early} ms early and durations no shorter than the job ran`, async () => {
      if (!('perl' in base)) return;
      const dir = join(base.dir, `job-${clock}`);
      mkdirSync(dir);
      await writeSpawnSpec(dir, { argv: ['sh', '-c', 'sleep 0.3'], cwd: base.dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, maxOutputBytes: 1 << 20, segmentBytes: 1 << 16 });
      const before = Date.now();
      const r = spawnSync(base.perl, [SHIM, dir], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PROCD_SHIM_CLOCK: clock } });
      const after = Date.now();
      expect(r.status).toBe(0);
      const started = await readStartedFile(dir);
      const exit = await readExitFile(dir);
      if (!started || !exit || 'spawnError' in exit) throw new Error(`no started/exit file: ${r.stderr}`);
      expect(started.at).toBeGreaterThanOrEqual(before - early);
      expect(exit.at).toBeLessThanOrEqual(after);
      // The uptime clock's monotonic part has 10 ms steps and its offset only grows: never short.
      expect(exit.at - started.at).toBeGreaterThanOrEqual(290);
    });
  }
});
