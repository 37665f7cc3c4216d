// The race of a fork server that dies after forking a shim but before its pid line reaches the
// daemon (daemon/jobs/launcher.ts + shim-claim.ts): the launcher then starts a shim itself, and
// the two would run one job directory twice. A stand-in fork server forks the real shim (native or
// Perl), waits until that shim has started the job, and exits without a `P` line: the job
// must run once, and the launcher must report the orphan's start from its files and then its lost
// channel (the starter then watches the job by its pid). The native case is skipped, with the
// reason, only when the build had no C compiler.

import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ShimLauncher } from '../../../daemon/jobs/launcher.js';
import type { ShimGone } from '../../../daemon/jobs/shim-runner.js';
import { readExitFile, readStartedFile, type ShimEvent } from '../../../daemon/output/spawn-spec.js';
import { waitFor } from '../../helpers/wait-for.js';
import { Harness, NATIVE_SHIM, nativeShimSkipReason, SHIM, SHIM_PERL } from './shim-harness.js';

const skip = nativeShimSkipReason();
const h = new Harness();
/** Each test's `ran` file (its job processes' pids): they are killed in cleanup, also after a failure. */
const ranFiles: string[] = [];
afterEach(async () => {
  for (const ran of ranFiles.splice(0)) {
    for (const pid of readFileSync(ran, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean)) h.track(Number(pid));
  }
  await h.cleanup();
});

const alive = (pid: number): boolean => {
  try {
    return !/^\S+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** A fork server that forks `shim` for the first request and dies, once that started the job, before saying its pid; else it is the shim. */
function dyingServer(shim: string[]): string {
  const file = join(h.tempDir(), 'dying-server.sh');
  const run = shim.map((a) => `'${a}'`).join(' ');
  writeFileSync(
    file,
    `if [ "$1" = --serve ]; then
  echo "R fake"
  read dir
  ${run} "$dir" >/dev/null 2>>"$dir/shim.log" </dev/null &
  i=0
  while [ ! -e "$dir/started" ] && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done
  exit 0
fi
exec ${run} "$@"
`,
  );
  chmodSync(file, 0o700);
  return file;
}

const KINDS = [
  { kind: 'native', shim: [NATIVE_SHIM], skip },
  { kind: 'perl', shim: [SHIM_PERL, SHIM], skip: null },
];

describe.each(KINDS)('a fork server killed between forking a $kind shim and saying its pid', ({ shim, skip: why }) => {
  it.skipIf(why !== null)(`leaves one shim running the job, which the launcher follows by its files${why ? ` (skipped: ${why})` : ''}`, async () => {
    const work = h.tempDir();
    const ranFile = join(work, 'ran');
    const stop = join(work, 'stop');
    const jobDir = join(work, 'job');
    ranFiles.push(ranFile);
    const warnings: string[] = [];
    // kind 'perl': the launcher runs the command's own `--serve` as its fork server (fork-server-command.ts).
    const launcher = new ShimLauncher(() => ({ kind: 'perl', file: '/bin/sh', args: [dyingServer(shim)] }), { binary: '/nonexistent', logFile: join(work, 'server.log'), warn: (m) => warnings.push(m) });
    const events: ShimEvent[] = [];
    let gone: ShimGone | null = null;
    const argv = ['sh', '-c', 'echo $$ >> "$1"; while [ ! -e "$2" ]; do sleep 0.02; done; exit 6', 'sh', ranFile, stop];
    const handle = await launcher.launch({ jobDir, argv, cwd: work, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, maxOutputBytes: 1 << 20 }, { event: (e) => events.push(e), gone: (g) => (gone = g) });
    h.track(handle.pid);
    const started = await waitFor(() => readStartedFile(jobDir), { what: 'the started file', timeoutMs: 15_000 });
    const claimant = started.shimPid;
    h.track(claimant);
    h.track(started.pid);

    const end = await waitFor(() => gone, { what: 'the launcher to report the shim gone (its channel lost)', timeoutMs: 15_000 });
    expect(end.error).toMatchObject({ code: 'ECHANNEL' });
    expect(handle.pid).toBe(claimant);
    expect(events).toEqual([{ type: 'started', pid: started.pid, at: started.at }]);
    expect(warnings.join('\n')).toMatch(/started by the daemon itself/);

    writeFileSync(stop, '');
    const exit = await waitFor(() => readExitFile(jobDir), { what: 'the exit file', timeoutMs: 15_000 });
    expect(exit).toMatchObject({ shimPid: claimant, exitCode: 6 });
    await waitFor(() => !alive(claimant), { what: 'the claimant shim to end', timeoutMs: 15_000 });
    expect(readFileSync(ranFile, 'utf8').trim().split('\n')).toEqual([String(started.pid)]);
    expect(events).toHaveLength(1);
    launcher.close();
  });
});
