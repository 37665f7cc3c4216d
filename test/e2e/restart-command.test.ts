// `procd restart` and services brought back by the next daemon: a running job is stopped with its
// own stop signal and runs again under its id (its output separate); an ended one runs again; an
// adopted one cannot; `restart always` services come back after `daemon stop`, and any service
// whose processes vanished while no daemon ran (a reboot) is started again by its policy.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RestartOutcome } from '../../shared/methods.js';
import { pidAlive, processGone, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, jobStatus, parseJson, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

async function restart(args: string[]): Promise<RestartOutcome[]> {
  const r = await d!.cli(['restart', '--json', ...args]);
  return parseJson<RestartOutcome[]>(r, `restart ${args.join(' ')}`);
}

async function running(id: number, run: number) {
  return waitFor(
    async () => {
      const j = await jobStatus(d!, id);
      return j.state.kind === 'running' && (j.runs?.current ?? 1) === run ? j : null;
    },
    // generous: it may include a daemon's autostart and recovery on a loaded machine
    { what: `job ${id} to be running its run ${run}`, timeoutMs: 45_000 },
  );
}

describe('procd restart', () => {
  it('stops a running job with its own stop signal and runs it again under the same id; ended jobs run again; adopted ones cannot', async () => {
    d = await startTestDaemon();
    const job = await trackJob(d, ['--name', 'web', '--stop-signal', 'INT', '--shell', 'trap "echo got INT; exit 0" INT; echo started; while :; do sleep 0.1; done']);
    const first = await running(job.id, 1);
    await waitFor(() => readFileSync(join(first.dir, 'out', 'stdout.0000000000000000'), 'utf8').includes('started'), { what: 'run 1 to print started' });
    const [r] = await restart(['web']);
    expect(r).toMatchObject({ ok: true, id: job.id, run: 2, state: 'running', stopped: true });
    const second = await jobStatus(d, job.id);
    expect(second.runs?.earlier).toMatchObject([{ run: 1, state: 'killed', exitCode: 130, then: 'manual_restart', dir: first.dir }]);
    expect(second.dir).not.toBe(first.dir);
    // Its own stop signal reached run 1; run 2 writes elsewhere.
    expect(readFileSync(join(first.dir, 'out', 'stdout.0000000000000000'), 'utf8')).toBe('started\ngot INT\n');

    const done = await trackJob(d, ['--name', 'once', '--wait', '--', 'true']);
    const [again] = await restart([String(done.id)]);
    expect(again).toMatchObject({ ok: true, id: done.id, run: 2, stopped: false });
    // rm takes every run's output with the job (run 2's directory is inside the job's).
    await waitFor(async () => (await jobStatus(d!, done.id)).state.kind === 'completed', { what: 'run 2 to complete' });
    expect((await d.cli(['rm', String(done.id)])).code).toBe(0);
    expect(existsSync(done.dir)).toBe(false);

    const outsider = spawn('sleep', ['300'], { stdio: 'ignore' });
    try {
      const adopted = parseJson<{ id: number }>(await d.cli(['adopt', '--json', String(outsider.pid)]), 'adopt');
      const [refused] = await restart([String(adopted.id)]);
      expect(refused).toMatchObject({ ok: false, error: { name: 'NotRestartable' } });
    } finally {
      outsider.kill('SIGKILL');
    }
    const missing = await d.cli(['restart', 'nosuch']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no job named or numbered nosuch \[JobNotFound/);
  });
});

describe('services back after the daemon was gone', () => {
  it('restart always: a service daemon stop stopped runs again with the next daemon; unless-stopped and plain jobs stay down', async () => {
    d = await startTestDaemon();
    const always = await trackJob(d, ['--name', 'always', '--restart', 'always', '--', 'sleep', '300']);
    const unless = await trackJob(d, ['--name', 'unless', '--restart', 'unless-stopped', '--', 'sleep', '301']);
    const plain = await trackJob(d, ['--name', 'plain', '--', 'sleep', '302']);
    expect((await d.cli(['daemon', 'stop'])).code).toBe(0);
    // The next call autostarts a daemon.
    const back = await running(always.id, 2);
    expect(back.runs?.earlier[0]).toMatchObject({ run: 1, state: 'killed', then: 'resurrect' });
    expect((await jobStatus(d, unless.id)).state.kind).toBe('killed');
    expect((await jobStatus(d, plain.id)).state.kind).toBe('killed');
  });

  it('a service whose processes vanished while no daemon ran (as after a reboot) is started again by the next daemon', async () => {
    d = await startTestDaemon();
    const svc = await trackJob(d, ['--name', 'svc', '--restart', 'unless-stopped', '--restart-delay', '100ms', '--', 'sleep', '303']);
    const started = await running(svc.id, 1);
    if (started.state.kind !== 'running') throw new Error('unreachable');
    const { pid, shimPid } = started.state;
    const daemonPid = (await daemonStatus(d)).pid;
    process.kill(daemonPid, 'SIGKILL');
    await waitFor(() => processGone(daemonPid), { what: 'the daemon to die' });
    // What a reboot does to the job: its shim and its process die without a word (no exit file).
    if (shimPid !== null && shimPid > 0 && pidAlive(shimPid)) process.kill(shimPid, 'SIGKILL');
    process.kill(pid, 'SIGKILL');
    await waitFor(() => processGone(pid) && (shimPid === null || shimPid <= 0 || processGone(shimPid)), { what: 'the job and its shim to die' });
    const back = await running(svc.id, 2);
    expect(back.runs?.earlier[0]).toMatchObject({ run: 1, state: 'lost', outcome: 'vanished', then: 'restart' });
    expect(back.state.kind === 'running' && back.state.pid).not.toBe(pid);
  });
});
