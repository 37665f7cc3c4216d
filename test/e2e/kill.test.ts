// "Kill means gone": whole trees including setsid'd and double-forked escapees, forced kills
// recorded, finished jobs refused.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KillOutcome, KillResult } from '../../shared/methods.js';
import { FIXTURES, pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { jobStatus, parseJson, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  await d?.cleanup();
});

/** pids of live processes whose argv is exactly `sleep <seconds>` and that carry PROCD_HOME of this test. */
function sleepers(home: string, seconds: string[]): number[] {
  const found: number[] = [];
  for (const pid of readdirPids()) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      if (argv[0] === 'sleep' && seconds.includes(argv[1] ?? '') && env.includes(`PROCD_HOME=${home}`) && pidAlive(pid)) found.push(pid);
    } catch {
      // vanished
    }
  }
  return found;
}

function readdirPids(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

describe('kill', () => {
  it('kills a tree including setsid and double-forked descendants', async () => {
    const script = 'sleep 1000 & setsid sleep 1001 & (setsid sh -c "sleep 1002 &") ; wait';
    const job = await trackJob(d, ['--', 'bash', '-c', script]);
    await waitFor(() => sleepers(d.home, ['1000', '1001', '1002']).length === 3, { what: 'three sleeps to run' });
    const r = await d.cli(['kill', '--json', String(job.id)]);
    expect(r.code).toBe(0);
    const [result] = parseJson<KillResult[]>(r, 'kill --json');
    expect(result?.state).toBe('killed');
    expect(result?.signalled.length).toBeGreaterThanOrEqual(4);
    expect(sleepers(d.home, ['1000', '1001', '1002'])).toEqual([]);
    const s = await jobStatus(d, job.id);
    expect(s.state).toMatchObject({ kind: 'killed', forced: false, kill: { reason: 'user', signal: 'SIGTERM' } });
  });

  it('SIGKILLs a child that ignores SIGTERM after the grace and records it as forced', async () => {
    const job = await trackJob(d, ['--', join(FIXTURES, 'ignore-term.sh')]);
    await waitFor(async () => (await d.cli(['logs', String(job.id)])).stdout.includes('ready'), { what: 'the trap to be set' });
    const started = Date.now();
    const r = await d.cli(['kill', String(job.id), '--grace', '500ms']);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(r.stdout).toMatch(/SIGKILL after the grace period/);
    const s = await jobStatus(d, job.id);
    expect(s.state).toMatchObject({ kind: 'killed', forced: true, signal: { name: 'SIGKILL' }, exitCode: 137 });
    if (s.state.kind === 'killed') {
      expect(s.state.kill?.forced).toContain(job.state.kind === 'running' ? job.state.pid : -1);
      expect(pidAlive(job.state.kind === 'running' ? job.state.pid : -1)).toBe(false);
    }
  });

  it('refuses to kill a finished job, saying its state', async () => {
    const r1 = await d.cli(['track', '--wait', '--', 'true']);
    expect(r1.code).toBe(0);
    const r = await d.cli(['kill', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is not running: it is completed/);
  });

  it('kill A B C stops every running job given and reports each other one (not running, not found), exit 1', async () => {
    const a = await trackJob(d, ['--name', 'ka', '--', 'sleep', '1010']);
    const done = await d.cli(['track', '--wait', '--name', 'kdone', '--', 'true']);
    expect(done.code).toBe(0);
    const c = await trackJob(d, ['--name', 'kc', '--', 'sleep', '1011']);
    const r = await d.cli(['kill', 'ka', 'kdone', 'nosuch', String(c.id)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`job ${a.id} killed`));
    expect(r.stdout).toMatch(new RegExp(`job ${c.id} killed`));
    expect(r.stderr).toMatch(/job 2 \(kdone\) is not running: it is completed \[JobNotRunning -32001\]/);
    expect(r.stderr).toMatch(/no job named or numbered nosuch \[JobNotFound -32000\]/);
    expect(sleepers(d.home, ['1010', '1011'])).toEqual([]);
    expect((await jobStatus(d, a.id)).state.kind).toBe('killed');
    expect((await jobStatus(d, c.id)).state.kind).toBe('killed');
  });

  it('kill --json answers one item per job given, in order, and exits 1 when any was not stopped', async () => {
    const a = await trackJob(d, ['--', 'sleep', '1012']);
    const r = await d.cli(['kill', '--json', '99', String(a.id)]);
    expect(r.code).toBe(1);
    const items = parseJson<KillOutcome[]>(r, 'kill --json');
    expect(items).toMatchObject([
      { ref: 99, ok: false, id: null, error: { code: -32000, name: 'JobNotFound' } },
      { ref: a.id, ok: true, id: a.id, state: 'killed', signal: 'SIGTERM' },
    ]);
    const alone = await d.cli(['kill', '--json', String(a.id)]);
    expect(alone.code).toBe(1);
    expect(parseJson<KillOutcome[]>(alone, 'kill --json')).toMatchObject([{ ok: false, id: a.id, error: { name: 'JobNotRunning', data: { state: 'killed' } } }]);
  });

  it('signal sends one signal without escalation', async () => {
    const job = await trackJob(d, ['--', join(FIXTURES, 'ignore-term.sh')]);
    await waitFor(async () => (await d.cli(['logs', String(job.id)])).stdout.includes('ready'), { what: 'the trap to be set' });
    const r = await d.cli(['signal', String(job.id), 'TERM']);
    expect(r.code).toBe(0);
    // it ignores TERM and nothing escalates: still running a while later
    const s = await jobStatus(d, job.id);
    expect(s.state.kind).toBe('running');
    const bad = await d.cli(['signal', String(job.id), 'SIGNOPE']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown signal/);
    await d.cli(['signal', String(job.id), 'KILL']);
    const done = await waitFor(async () => {
      const j = await jobStatus(d, job.id);
      return j.state.kind === 'killed' ? j : null;
    }, { what: 'the job to die' });
    expect(done.state).toMatchObject({ signal: { name: 'SIGKILL' }, kill: null });
  });

  it('daemon stop stops running jobs with the kill procedure', async () => {
    const job = await trackJob(d, ['--', 'sleep', '1003']);
    const pid = job.state.kind === 'running' ? job.state.pid : -1;
    const r = await d.cli(['daemon', 'stop']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 running job stopped/);
    expect(pidAlive(pid)).toBe(false);
    expect((await jobStatus(d, job.id)).state).toMatchObject({ kind: 'killed', kill: { reason: 'shutdown' } });
  });

  it('waits for a slow shim to write the exit status instead of calling the stopped job lost', async () => {
    const job = await trackJob(d, ['--', 'sleep', '1004']);
    const shimPid = job.state.kind === 'running' ? job.state.shimPid : null;
    expect(shimPid).toBeGreaterThan(0);
    // A stopped shim cannot reap the job or write its exit file: as on a machine too loaded to run it.
    process.kill(shimPid!, 'SIGSTOP');
    try {
      const kill = d.cli(['kill', '--json', String(job.id)]);
      await waitFor(() => readFileSync(d.paths.logFile, 'utf8').includes('waiting for its shim to write the exit status'), {
        what: 'the daemon to wait for the shim',
      });
      process.kill(shimPid!, 'SIGCONT');
      const r = await kill;
      expect(r.code).toBe(0);
      expect(parseJson<KillResult[]>(r, 'kill --json')[0]?.state).toBe('killed');
      expect((await jobStatus(d, job.id)).state).toMatchObject({ kind: 'killed', signal: { name: 'SIGTERM' }, kill: { reason: 'user' } });
    } finally {
      if (pidAlive(shimPid!)) process.kill(shimPid!, 'SIGCONT');
    }
  });
});
