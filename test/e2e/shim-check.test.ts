// The daemon checks at start that the job shim runs, logs the result, and `daemon status` shows it
// (with what to do when it does not).

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DaemonStatus } from '../../shared/methods.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.cleanup();
  d = null;
});

const statusJson = async (t: TestDaemon) => JSON.parse((await t.cli(['daemon', 'status', '--json'])).stdout) as DaemonStatus;

describe('daemon start-up: the shim check', () => {
  it('reports a shim that runs: interpreter, script, perl version and clock', async () => {
    d = await startTestDaemon();
    const s = await statusJson(d);
    expect(s.shim).toMatchObject({ ok: true, interpreter: 'perl', error: null, fix: null });
    expect(s.shim.script).toMatch(/daemon\/shim\/procd-shim\.pl$/);
    expect(s.shim.detail).toMatch(/^perl 5\.[0-9.]+ clock=hires$/);
    expect((await d.cli(['daemon', 'status'])).stdout).toMatch(/\n {2}shim {6}perl 5\.[0-9.]+ clock=hires \(perl \S+procd-shim\.pl\)/);
  });

  it('reports an interpreter that does not exist, in daemon status and in the daemon log, with what to do', async () => {
    d = await startTestDaemon({ env: { PROCD_PERL: '/nonexistent/perl' } });
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
