// A cgroup per job, continued: what `status --tree` finds only through the cgroup, tree CPU from
// the cgroup's cpu.stat (children that exited unseen included), a cgroup name unique per launch
// (a job id handed out again never shares an old job's leftovers), and a clear error when the
// job's cgroup cannot be created. PROCD_CONTAINMENT=cgroup is forced throughout.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tryRmdir } from '../../daemon/cgroup/containment.js';
import { instanceCgroupOf } from './helpers/cgroups.js';
import { pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { CGROUP, cgroupsAvailable, escapeeOf, jobCgroupDir, jobWithEscapee, killEscapees, uniqueSeconds } from './helpers/escapees.js';
import { daemonStatus, expectExit, jobLogs, jobStatus, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

/** A shell's own user + system time from the first line of `times` (`0m0.020000s 0m0.000000s`), in ms. */
function ownCpuMs(times: string): number {
  const [user, system] = (times.split('\n')[0] ?? '').split(' ').map((t) => /^(\d+)m([\d.]+)s$/.exec(t));
  if (!user || !system) throw new Error(`unexpected output of times: ${JSON.stringify(times)}`);
  return (Number(user[1]) * 60 + Number(user[2]) + Number(system[1]) * 60 + Number(system[2])) * 1000;
}

let d: TestDaemon | undefined;
const escapees: number[] = [];
afterEach(async () => {
  killEscapees(escapees);
  await d?.cleanup();
  d = undefined;
});

describe.skipIf(!cgroupsAvailable())('a cgroup per job: tree, names, errors', () => {
  it('status --tree shows a setsid env -i escapee found only through the cgroup, marked "cgroup only" (JSON and text)', async () => {
    d = await startTestDaemon({ env: CGROUP });
    const seconds = uniqueSeconds();
    const { id, escapee } = await jobWithEscapee(d, seconds, escapees);
    const job = await jobStatus(d, id, { tree: true });
    const tree = job.tree ?? [];
    expect(tree.find((p) => p.pid === escapee)).toMatchObject({ cgroupOnly: true, command: `sleep ${seconds}` });
    const mainPid = job.state.kind === 'running' ? job.state.pid : -1;
    expect(tree.find((p) => p.pid === mainPid)).toMatchObject({ cgroupOnly: false });
    expect(tree.filter((p) => p.cgroupOnly).map((p) => p.pid)).toEqual([escapee]);

    const r = await d.cli(['status', String(id), '--tree']);
    expectExit(r, 0, 'status --tree');
    const lineOf = (pid: number) => r.stdout.split('\n').find((l) => l.trimStart().startsWith(`${pid} `)) ?? '';
    expect(lineOf(escapee)).toContain(`(cgroup only) sleep ${seconds}`);
    expect(lineOf(mainPid)).not.toBe('');
    expect(lineOf(mainPid)).not.toContain('cgroup only');
  });

  it('tree CPU comes from the cgroup: CPU burnt by short-lived children reaped outside the tree is counted', async () => {
    // Sampling every 20 s: the job's first sample comes after its orphans have ended and been reaped
    // (this machine's pid 1 leaves them zombies for a moment, and /proc shows a zombie's CPU).
    d = await startTestDaemon({ env: { ...CGROUP, PROCD_SAMPLE_INTERVAL: '20s' } });
    const done = mkdtempSync(join(tmpdir(), 'procd-burn-'));
    try {
      // Forty orphans (their parent subshell exits at once; init reaps them), each counting for
      // some ms, then writing down its own CPU time (`times`). No process of the tree waits for
      // them, and /proc no longer shows them when the job is sampled: only the cgroup counts them.
      // ($0 is the directory for the files, in the job's shell and in each orphan.)
      const orphan = `sh -c 'i=0; while [ $i -lt 30000 ]; do i=$((i+1)); done; times > "$0/$$"' "$0"`;
      const script = `n=0; while [ $n -lt 40 ]; do ( ${orphan} & ); n=$((n+1)); done; while [ "$(ls "$0" | wc -l)" -lt 40 ]; do sleep 0.1; done; echo burnt; exec sleep 1000`;
      const job = await trackJob(d, ['--', 'sh', '-c', script, done]);
      await waitFor(async () => (await jobLogs(d!, job.id)).includes('burnt'), { what: 'the children to have burnt their CPU', timeoutMs: 90_000 });
      const childrenMs = readdirSync(done).reduce((n, f) => n + ownCpuMs(readFileSync(join(done, f), 'utf8')), 0);
      expect(childrenMs).toBeGreaterThan(100);
      // The cgroup counted all of it (a little slack: the kernel rounds the two accounts differently).
      // (All of it may have happened before the job's first sample: a total then, not yet a rate.)
      await waitFor(async () => ((await jobStatus(d!, job.id)).resources?.last?.cpuTimeMs ?? 0) >= childrenMs * 0.95, {
        what: `the tree CPU time to count the exited children's ${childrenMs} ms`,
        timeoutMs: 60_000,
      });
    } finally {
      rmSync(done, { recursive: true, force: true });
    }
  }, 180_000); // a sample every 20 s, on a busy machine

  it("a job id handed out again (state lost) gets a new cgroup: the old job's leftover is neither shown nor killed with it", async () => {
    d = await startTestDaemon({ env: { ...CGROUP, PROCD_AUTO_CLEANUP: 'off' } });
    const seconds = uniqueSeconds();
    expectExit(await d.cli(['track', '--wait', '--', 'sh', '-c', `setsid env -i sleep ${seconds} >/dev/null 2>&1 & exit 0`]), 0, 'track --wait');
    const old = await escapeeOf(seconds, escapees);
    const oldCgroup = await jobCgroupDir(d, 1);
    expect(oldCgroup).toMatch(/\/job-1-[0-9a-f]+$/);

    // The daemon dies and its records are lost: ids start at 1 again; the old cgroup still holds the leftover.
    process.kill((await daemonStatus(d)).pid, 'SIGKILL');
    for (const name of readdirSync(d.home)) if (/^(state|journal|jobs)/.test(name)) rmSync(join(d.home, name), { recursive: true, force: true });
    expectExit(await d.cli(['daemon', 'start']), 0, 'daemon start');
    const again = await trackJob(d, ['--', 'sleep', '1000']);
    expect(again.id).toBe(1);
    const newCgroup = await jobCgroupDir(d, 1);
    expect(newCgroup).not.toBe(oldCgroup);
    expect(existsSync(oldCgroup)).toBe(true); // populated: the start-up sweep could not remove it

    expect(((await jobStatus(d, 1, { tree: true })).tree ?? []).map((p) => p.pid)).not.toContain(old);
    expectExit(await d.cli(['kill', '1']), 0, 'kill 1');
    expect(pidAlive(old)).toBe(true);
    expect(readFileSync(join(oldCgroup, 'cgroup.procs'), 'utf8').split('\n')).toContain(String(old));
    await waitFor(() => !existsSync(newCgroup), { what: "the new job 1's cgroup to be removed" });
  });

  it("a job cgroup that cannot be created fails the job with the path, the errno and the fix; the daemon keeps running", async () => {
    d = await startTestDaemon({ env: CGROUP });
    const root = instanceCgroupOf(d.home)!;
    // No job yet, so the instance cgroup is empty: it can be removed from under the daemon.
    await waitFor(() => tryRmdir(root), { what: `${root} to be removed` });
    const r = await d.cli(['track', '--', 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`failed to start: ECGROUP: could not create the job's cgroup ${root}/job-1-`);
    expect(r.stderr).toContain(`(ENOENT: the instance cgroup ${root} is gone)`);
    expect(r.stderr).toContain('restart the daemon with PROCD_CONTAINMENT=pgroup');
    expect(r.stderr).not.toContain("could not start the job's shim");
    expect((await jobStatus(d, 1)).state).toMatchObject({ kind: 'failed', spawnError: { code: 'ECGROUP' } });
    expect((await d.cli(['ls'])).code).toBe(0);
  });
});
