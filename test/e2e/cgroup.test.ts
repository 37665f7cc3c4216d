// A cgroup per job (PROCD_CONTAINMENT=auto/cgroup where this machine allows it) and the pgroup
// fallback: the `setsid env -i` escapee — no group, session, parent link or marker — is killed
// with cgroups and (documented) escapes without them; cgroup.kill never takes the job's output or
// exit file with it; an ended job's cgroup is removed.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readExitFile } from '../../daemon/output/spawn-spec.js';
import type { KillResult } from '../../shared/methods.js';
import { instanceCgroupOf } from './helpers/cgroups.js';
import { pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { CGROUP, cgroupsAvailable, escapeeOf, jobCgroupDir, jobWithEscapee as withEscapee, killEscapees, uniqueSeconds as unique } from './helpers/escapees.js';
import { daemonStatus, jobLogs, jobStatus, parseJson, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const cgroupsHere = cgroupsAvailable();

let d: TestDaemon | undefined;
const escapees: number[] = [];
afterEach(async () => {
  killEscapees(escapees);
  await d?.cleanup();
  d = undefined;
});

const jobWithEscapee = (daemon: TestDaemon, seconds: string) => withEscapee(daemon, seconds, escapees);

describe.skipIf(!cgroupsHere)('containment: a cgroup per job', () => {
  it('daemon status says cgroup and why; kill takes the setsid env -i escapee with the job', async () => {
    d = await startTestDaemon({ env: { PROCD_CONTAINMENT: 'auto' } });
    const status = await daemonStatus(d);
    const root = instanceCgroupOf(d.home);
    expect(status.containment).toEqual({ kind: 'cgroup', root, why: `a cgroup per job below ${root}; PROCD_CONTAINMENT=auto` });
    expect((await d.cli(['daemon', 'status'])).stdout).toContain(`contain   cgroup per job (${root})`);
    const { id, escapee } = await jobWithEscapee(d, unique());
    const cg = await jobCgroupDir(d, id);
    expect(dirname(cg)).toBe(root);
    expect(readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n')).toContain(String(escapee));
    const r = await d.cli(['kill', '--json', String(id)]);
    expect(r.code).toBe(0);
    expect(parseJson<KillResult[]>(r, 'kill --json')[0]?.signalled).toContain(escapee);
    expect(pidAlive(escapee)).toBe(false);
    // ended and empty: its cgroup is removed
    await waitFor(() => !existsSync(cg), { what: `job ${id}'s cgroup to be removed` });
  });

  it('a job ended by cgroup.kill still has its exit file and all its output (the shim is outside)', async () => {
    d = await startTestDaemon({ env: CGROUP });
    const job = await trackJob(d, ['--', 'sh', '-c', 'i=0; while [ $i -lt 500 ]; do echo line-$i; i=$((i+1)); done; echo done >&2; exec sleep 1000']);
    await waitFor(async () => (await jobLogs(d!, job.id, ['--stream', 'stderr'])).includes('done'), { what: 'the output to be written' });
    const cg = await jobCgroupDir(d, job.id);
    writeFileSync(join(cg, 'cgroup.kill'), '1');
    const ended = await waitForEnd(d, job.id);
    expect(ended.state).toMatchObject({ exitCode: 137, signal: { name: 'SIGKILL' } });
    expect(await readExitFile(join(d.paths.jobsDir, String(job.id)))).toMatchObject({ exitCode: 137, signal: 9 });
    const out = await jobLogs(d, job.id, ['--stream', 'stdout']);
    expect(out.split('\n').filter(Boolean)).toEqual(Array.from({ length: 500 }, (_, i) => `line-${i}`));
    await waitFor(() => !existsSync(cg), { what: 'the cgroup to be removed' });
  });

  it('an ended job leaves no cgroup behind, and a stopped daemon removes its instance root', async () => {
    d = await startTestDaemon({ env: CGROUP });
    const root = instanceCgroupOf(d.home)!;
    const r = await d.cli(['track', '--wait', '--', 'true']);
    expect(r.code).toBe(0);
    await waitFor(() => existsSync(root) && readdirSync(root).every((n) => !n.startsWith('job-')), { what: 'no job cgroup left' });
    expect((await d.cli(['daemon', 'stop'])).code).toBe(0);
    await waitFor(() => !existsSync(root), { what: 'the instance root to be removed' });
  });

  it('a setsid env -i escapee of a finished job is reported as a leftover and killed by cleanup; then its cgroup goes', async () => {
    d = await startTestDaemon({ env: { ...CGROUP, PROCD_AUTO_CLEANUP: 'off' } });
    const seconds = unique();
    const r = await d.cli(['track', '--wait', '--', 'sh', '-c', `setsid env -i sleep ${seconds} >/dev/null 2>&1 & exit 0`]);
    expect(r.code).toBe(0);
    const escapee = await escapeeOf(seconds, escapees);
    const cg = await jobCgroupDir(d, 1);
    const flagged = await waitFor(async () => (await jobStatus(d!, 1)).flags.find((f) => f.kind === 'leftovers'), { what: 'the leftovers flag' });
    expect(flagged.pids).toEqual([escapee]);
    expect((await d.cli(['cleanup'])).code).toBe(0);
    expect(pidAlive(escapee)).toBe(false);
    await waitFor(() => !existsSync(cg), { what: "the finished job's cgroup to be removed" });
  });

  it("at start removes only its own instance's empty leftover cgroups, never another instance's", async () => {
    d = await startTestDaemon({ autostartOnly: true, env: CGROUP });
    const root = instanceCgroupOf(d.home)!;
    const other = join(dirname(root), `procd-other-${process.pid}-${Date.now()}`);
    mkdirSync(join(root, 'job-99'), { recursive: true });
    mkdirSync(join(other, 'job-5'), { recursive: true });
    try {
      expect((await d.cli(['daemon', 'start'])).code).toBe(0);
      await waitFor(() => !existsSync(join(root, 'job-99')), { what: 'the leftover job-99 cgroup to be removed' });
      expect(existsSync(join(other, 'job-5'))).toBe(true);
    } finally {
      rmdirSync(join(other, 'job-5'));
      rmdirSync(other);
    }
  });

  it("a restarted daemon keeps a running job's cgroup and still kills its escapee", async () => {
    d = await startTestDaemon({ env: CGROUP });
    const { id, escapee } = await jobWithEscapee(d, unique());
    process.kill((await daemonStatus(d)).pid, 'SIGKILL');
    expect((await d.cli(['daemon', 'start'])).code).toBe(0);
    expect((await jobStatus(d, id)).state.kind).toBe('running');
    expect(existsSync(await jobCgroupDir(d, id))).toBe(true);
    expect((await d.cli(['kill', String(id)])).code).toBe(0);
    expect(pidAlive(escapee)).toBe(false);
  });
});

describe('containment: PROCD_CONTAINMENT=pgroup (the fallback)', () => {
  it('daemon status says pgroup and why, and no cgroup is created', async () => {
    d = await startTestDaemon({ env: { PROCD_CONTAINMENT: 'pgroup' } });
    expect((await daemonStatus(d)).containment).toEqual({ kind: 'pgroup', root: null, why: 'PROCD_CONTAINMENT=pgroup' });
    const r = await d.cli(['track', '--wait', '--', 'true']);
    expect(r.code).toBe(0);
    const root = instanceCgroupOf(d.home);
    expect(root !== null && existsSync(root)).toBe(false);
  });

  it('documented hole: kill does not reach a setsid env -i escapee (no group, session, parent or marker)', async () => {
    d = await startTestDaemon({ env: { PROCD_CONTAINMENT: 'pgroup' } });
    const { id, escapee } = await jobWithEscapee(d, unique());
    const r = await d.cli(['kill', '--json', String(id)]);
    expect(r.code).toBe(0);
    expect(parseJson<KillResult[]>(r, 'kill --json')[0]?.signalled).not.toContain(escapee);
    expect((await jobStatus(d, id)).state.kind).toBe('killed');
    expect(pidAlive(escapee)).toBe(true); // still running: afterEach kills it
  });
});
