// Shims are forked by the daemon's fork server: `procd-shim --serve` for the native shim, `perl
// procd-shim.pl --serve` for the Perl shim (PROCD_SHIM=perl; it needs no native build). `daemon
// status` names it; a fork server killed under running jobs loses nothing (their ends are still
// recorded exactly, from the files) and the next job gets a new one; PROCD_FORK_SERVER=off goes
// back to one spawn per shim from the daemon. The native runs are skipped, with the reason, only
// when no native shim was built.

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it as itVitest } from 'vitest';
import { startTestDaemon, pidAlive, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, expectExit, trackJob, waitForEnd } from './helpers/jobs.js';
import { nativeShimSkipReason } from '../unit/output/shim-harness.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.cleanup();
  d = null;
});

const noNative = nativeShimSkipReason();
const ppidOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
const serverPid = async (t: TestDaemon): Promise<number> => {
  const by = await waitFor(async () => /^the fork server \(pid ([0-9]+)\)$/.exec((await daemonStatus(t)).shim.startedBy ?? '')?.[1], { what: 'daemon status to name the fork server', timeoutMs: 20_000 });
  return Number(by);
};
const shimPidOf = (job: { state: { kind: string } }): number => ('shimPid' in job.state ? Number(job.state.shimPid) : NaN);

const SHIMS = [
  // auto picks the native shim where it was built; its server is the binary itself.
  { title: `the native fork server${noNative ? ` (skipped: ${noNative})` : ''}`, skip: noNative, shim: undefined, server: (argv: string[]) => argv[0]!.endsWith('/procd-shim') && argv[1] === '--serve' },
  { title: 'the Perl fork server (PROCD_SHIM=perl)', skip: null, shim: 'perl', server: (argv: string[]) => argv[1]!.endsWith('daemon/shim/procd-shim.pl') && argv[2] === '--serve' },
];

describe.each(SHIMS)('$title', ({ skip, shim, server: isServer }) => {
  const it = itVitest.skipIf(skip !== null);
  it('forks every shim, and daemon status names it (in text and JSON)', async () => {
    d = await startTestDaemon({ env: { PROCD_SHIM: shim, PROCD_FORK_SERVER: undefined } });
    const server = await serverPid(d);
    expect(isServer(readFileSync(`/proc/${server}/cmdline`, 'latin1').split('\0'))).toBe(true);
    const job = await trackJob(d, ['--', 'sleep', '300']);
    expect(ppidOf(shimPidOf(job))).toBe(server);
    expect((await d.cli(['daemon', 'status'])).stdout).toContain(`            started by: the fork server (pid ${server})\n`);
  });

  it('killed under running jobs, it loses no exit code, and the next job gets a new one', async () => {
    d = await startTestDaemon({ env: { PROCD_SHIM: shim, PROCD_FORK_SERVER: undefined } });
    const server = await serverPid(d);
    const job = await trackJob(d, ['--shell', 'trap "exit 42" TERM; while :; do sleep 0.05; done']);
    process.kill(server, 'SIGKILL');
    await waitFor(() => !pidAlive(server), { what: 'the fork server to die', timeoutMs: 10_000 });
    // The shim runs on without its channel; its job is watched through its files and pid.
    expect(pidAlive(shimPidOf(job))).toBe(true);
    const next = await trackJob(d, ['--', 'sleep', '300']);
    const second = await serverPid(d);
    expect(second).not.toBe(server);
    expect(ppidOf(shimPidOf(next))).toBe(second);
    expectExit(await d.cli(['signal', String(job.id), 'TERM']), 0, 'signal');
    const ended = await waitForEnd(d, job.id, { timeoutMs: 30_000 });
    expect(ended.state).toMatchObject({ kind: 'failed', exitCode: 42 });
  });

  it('PROCD_FORK_SERVER=off: the daemon spawns each shim itself, and says so', async () => {
    d = await startTestDaemon({ env: { PROCD_SHIM: shim, PROCD_FORK_SERVER: 'off' } });
    const job = await trackJob(d, ['--', 'sleep', '300']);
    expect(ppidOf(shimPidOf(job))).toBe((await daemonStatus(d)).pid);
    expect((await daemonStatus(d)).shim.startedBy).toBe('by the daemon itself: no fork server configured');
  });
});
