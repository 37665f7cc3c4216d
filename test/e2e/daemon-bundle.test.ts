// The daemon runs from its bundle (bundle-daemon.mjs → dist/daemon/procd-daemon.cjs), however it is
// started: autostart (every first command, the library) and `procd daemon run` (the service units'
// ExecStart). What it finds relative to its own code still resolves from the bundle's place: the
// native shim (dist/shim), the Perl shim (daemon/shim), docs/openrpc.json and the version; and a
// crash's stack (crash.json, the fatal log line) names source files, not bundle offsets.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeShimSkipReason } from '../unit/output/shim-harness.js';
import { CLI, REPO, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, jobLogs, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const BUNDLE = join(REPO, 'dist/daemon/procd-daemon.cjs');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const noNative = nativeShimSkipReason();

let d: TestDaemon | null = null;
let daemonProc: ChildProcess | null = null;
afterEach(async () => {
  daemonProc?.kill('SIGKILL');
  daemonProc = null;
  await d?.cleanup();
  d = null;
});

type LogLine = { level: number; msg: string; code?: string; err?: { stack?: string } };
const logLines = (t: TestDaemon): LogLine[] => {
  let text = '';
  try {
    text = readFileSync(t.paths.logFile, 'utf8');
  } catch {
    // not written yet
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogLine);
};
/** The file the daemon's start log line says its code runs from (the log is written asynchronously: waited for). */
const codeFile = (t: TestDaemon) => waitFor(() => logLines(t).find((l) => l.msg === 'daemon started')?.code ?? null, { what: 'the daemon started line in its log' });

/** A job's output, once it has ended. */
async function outputOf(t: TestDaemon, text: string): Promise<string> {
  const job = await trackJob(t, ['--', 'sh', '-c', `echo ${text}`]);
  await waitForEnd(t, job.id);
  return jobLogs(t, job.id);
}

describe('the daemon runs from its bundle', () => {
  it.skipIf(noNative !== null)(`autostarted, it is node running the bundle; its jobs run under the native shim, rpc.discover and the version work${noNative ? ` (skipped: ${noNative})` : ''}`, async () => {
    const t = (d = await startTestDaemon());
    const s = await daemonStatus(t);
    const argv = readFileSync(`/proc/${s.pid}/cmdline`, 'latin1').split('\0');
    expect(argv[1]).toBe(BUNDLE);
    expect(await codeFile(t)).toBe(BUNDLE);
    expect(s.version).toBe(VERSION);
    expect(s.shim).toMatchObject({ ok: true, kind: 'native', interpreter: join(REPO, 'dist/shim/procd-shim') });
    expect(await outputOf(t, 'from-the-native-shim')).toBe('from-the-native-shim\n');
    const doc = (await t.client()).rpcDiscover();
    expect((await doc).methods.map((m) => m.name)).toContain('rpc.discover');
  });

  it('with PROCD_SHIM=perl its jobs run under daemon/shim/procd-shim.pl (and its perl modules)', async () => {
    const t = (d = await startTestDaemon({ env: { PROCD_SHIM: 'perl' } }));
    const s = await daemonStatus(t);
    expect(readFileSync(`/proc/${s.pid}/cmdline`, 'latin1').split('\0')[1]).toBe(BUNDLE);
    expect(s.shim).toMatchObject({ ok: true, kind: 'perl', script: join(REPO, 'daemon/shim/procd-shim.pl') });
    expect(await outputOf(t, 'from-the-perl-shim')).toBe('from-the-perl-shim\n');
  });

  it('`procd daemon run` (as a service unit runs it) loads the bundle; an uncaught exception leaves a crash.json whose stack names source files', async () => {
    const t = (d = await startTestDaemon({ autostartOnly: true, env: { PROCD_TEST_FAULTS: '1' } }));
    const proc = (daemonProc = spawn(process.execPath, [CLI, 'daemon', 'run'], { env: t.env, stdio: 'ignore' }));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    await waitFor(async () => (await t.cli(['daemon', 'status', '--no-autostart'])).code === 0, { what: 'the daemon to answer' });
    expect(await codeFile(t)).toBe(BUNDLE);

    writeFileSync(join(t.home, 'test-fault'), 'exception\n');
    process.kill(proc.pid!, 'SIGUSR2');
    expect(await exited).toBe(70);
    const crash = JSON.parse(readFileSync(join(t.home, 'crash.json'), 'utf8')) as { stack: string };
    // The throw in daemon/faults.ts's raiseTestFault, at its source line, not at an offset in the bundle.
    const faultsTs = readFileSync(join(REPO, 'daemon/faults.ts'), 'utf8').split('\n');
    const throwLine = faultsTs.findIndex((l) => l.includes("throw new Error('test fault: uncaught exception')")) + 1;
    expect(crash.stack).toContain(`${join(REPO, 'daemon/faults.ts')}:${throwLine}:`);
    expect(crash.stack).not.toContain('procd-daemon.cjs');
    const fatal = await waitFor(() => logLines(t).find((l) => l.level === 60) ?? null, { what: 'the fatal line in the log' });
    expect(fatal.err?.stack).toContain(`${join(REPO, 'daemon/faults.ts')}:${throwLine}:`);
  });
});
