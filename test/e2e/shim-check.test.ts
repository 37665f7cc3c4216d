// The daemon chooses the job shim at start (native when built, else Perl; PROCD_SHIM forces one),
// checks that it runs, logs the result, and `daemon status` shows which and why (with what to do
// when it does not). Jobs really run under the chosen shim.

import { readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonStatus } from '../../shared/methods.js';
import { REPO, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { trackJob } from './helpers/jobs.js';
import { nativeShimSkipReason } from '../unit/output/shim-harness.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.cleanup();
  d = null;
});

const statusJson = async (t: TestDaemon) => JSON.parse((await t.cli(['daemon', 'status', '--json'])).stdout) as DaemonStatus;

const NATIVE = join(REPO, 'dist/shim/procd-shim');
const noNative = nativeShimSkipReason();

/** The program a job's shim runs as: /proc/<shimPid>/exe and its command line. */
async function shimOf(t: TestDaemon): Promise<{ exe: string; cmdline: string[] }> {
  const job = await trackJob(t, ['--', 'sleep', '300']);
  const shimPid = 'shimPid' in job.state ? job.state.shimPid : null;
  if (!shimPid) throw new Error(`job ${job.id} has no shim pid: ${JSON.stringify(job.state)}`);
  return { exe: readlinkSync(`/proc/${shimPid}/exe`), cmdline: readFileSync(`/proc/${shimPid}/cmdline`, 'latin1').split('\0').slice(0, -1) };
}

describe('daemon start-up: which shim runs jobs', () => {
  it.skipIf(noNative !== null)(`runs jobs under the native shim by default when it was built, and says so${noNative ? ` (skipped: ${noNative})` : ''}`, async () => {
    d = await startTestDaemon({ env: { PROCD_SHIM: undefined } });
    const s = await statusJson(d);
    expect(s.shim).toMatchObject({ ok: true, kind: 'native', interpreter: NATIVE, script: '', error: null, why: 'compiled at build time and passed its check; PROCD_SHIM=auto' });
    expect(s.shim.detail).toMatch(/^native [0-9.]+ clock=monotonic$/);
    const text = (await d.cli(['daemon', 'status'])).stdout;
    expect(text).toContain(`\n  shim      ${s.shim.detail} (${NATIVE})\n            why: compiled at build time and passed its check; PROCD_SHIM=auto`);
    const shim = await shimOf(d);
    expect(shim.exe).toBe(NATIVE);
    expect(shim.cmdline[0]).toBe(NATIVE);
  });

  it('PROCD_SHIM=perl runs jobs under the Perl shim', async () => {
    d = await startTestDaemon({ env: { PROCD_SHIM: 'perl' } });
    expect((await statusJson(d)).shim).toMatchObject({ ok: true, kind: 'perl', why: 'PROCD_SHIM=perl' });
    const shim = await shimOf(d);
    expect(shim.exe).toMatch(/\/perl[0-9.]*$/);
    expect(shim.cmdline[1]).toMatch(/daemon\/shim\/procd-shim\.pl$/);
  });
});

describe('daemon start-up: the shim check', () => {
  it('reports a shim that runs: interpreter, script, perl version and clock', async () => {
    d = await startTestDaemon({ env: { PROCD_SHIM: 'perl' } });
    const s = await statusJson(d);
    expect(s.shim).toMatchObject({ ok: true, interpreter: 'perl', error: null, fix: null });
    expect(s.shim.script).toMatch(/daemon\/shim\/procd-shim\.pl$/);
    expect(s.shim.detail).toMatch(/^perl 5\.[0-9.]+ clock=hires$/);
    expect((await d.cli(['daemon', 'status'])).stdout).toMatch(/\n {2}shim {6}perl 5\.[0-9.]+ clock=hires \(perl \S+procd-shim\.pl\)/);
  });

  it('reports an interpreter that does not exist, in daemon status and in the daemon log, with what to do', async () => {
    d = await startTestDaemon({ env: { PROCD_PERL: '/nonexistent/perl', PROCD_SHIM: 'perl' } });
    const s = await statusJson(d);
    expect(s.shim).toMatchObject({ ok: false, interpreter: '/nonexistent/perl', error: 'the perl interpreter "/nonexistent/perl" was not found' });
    expect(s.shim.fix).toMatch(/PROCD_PERL/);
    const text = (await d.cli(['daemon', 'status'])).stdout;
    expect(text).toContain('shim      cannot run: the perl interpreter "/nonexistent/perl" was not found');
    expect(text).toMatch(/\n {12}fix: install perl .*PROCD_PERL/);
    const t = d;
    const line = await waitFor(() =>
      readFileSync(t.paths.logFile, 'utf8')
        .split('\n')
        .find((l) => l.includes('the job shim cannot run')), { what: 'the shim error in the daemon log' });
    expect(JSON.parse(line)).toMatchObject({ level: 50, shim: { ok: false, interpreter: '/nonexistent/perl' } });
  });
});
