import { describe, expect, it } from 'vitest';
import { cgroup2Mount, chooseContainment, containmentMode, instanceCgroup, ownCgroup, type CgroupProbe } from '../../../daemon/cgroup/containment.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupCreateError, cgroupNameOf, createJobCgroup, newJobCgroupName } from '../../../daemon/cgroup/job-cgroup.js';
import { liveCgroupNames, removable } from '../../../daemon/cgroup/janitor.js';
import { cgroupOnlyMembers, membersOf, snapshotOf } from '../../../daemon/monitor/job-processes.js';
import type { ProcInfo } from '../../../daemon/proc/process-table.js';
import type { Job } from '../../../shared/job.js';
import { completedState, makeJob, runningState } from '../../helpers/job-factory.js';

const yes = (): CgroupProbe => ({ ok: true, root: '/sys/fs/cgroup/procd-abc' });
const no = (): CgroupProbe => ({ ok: false, why: 'cannot create a cgroup below /sys/fs/cgroup (EACCES: needs root or a delegated cgroup)' });

describe('chooseContainment', () => {
  it('auto: a cgroup per job when the probe allows it, else pgroup saying why', () => {
    expect(chooseContainment({}, yes)).toEqual({ kind: 'cgroup', root: '/sys/fs/cgroup/procd-abc', why: 'a cgroup per job below /sys/fs/cgroup/procd-abc; PROCD_CONTAINMENT=auto' });
    expect(chooseContainment({}, no)).toEqual({ kind: 'pgroup', why: 'no cgroup per job: cannot create a cgroup below /sys/fs/cgroup (EACCES: needs root or a delegated cgroup); PROCD_CONTAINMENT=auto' });
  });

  it('pgroup is taken without probing; a forced cgroup that is unavailable falls back and says so', () => {
    expect(chooseContainment({ PROCD_CONTAINMENT: 'pgroup' }, () => { throw new Error('probed'); })).toEqual({ kind: 'pgroup', why: 'PROCD_CONTAINMENT=pgroup' });
    expect(chooseContainment({ PROCD_CONTAINMENT: 'cgroup' }, no).why).toMatch(/\(forced, but unavailable: falling back\); PROCD_CONTAINMENT=cgroup$/);
    expect(containmentMode('bogus')).toEqual({ mode: 'auto', note: 'PROCD_CONTAINMENT=bogus is not cgroup, pgroup or auto: taken as auto' });
  });

  it('finds the v2 mount and our place in it; the instance parent is named by the instance', () => {
    const mountinfo = '25 1 0:23 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw\n';
    expect(cgroup2Mount(mountinfo)).toBe('/sys/fs/cgroup/unified');
    expect(cgroup2Mount('25 1 0:23 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n')).toBeNull();
    expect(ownCgroup('9:name=systemd:/\n0::/user.slice/app.service\n')).toBe('/user.slice/app.service');
    expect(ownCgroup('9:name=systemd:/\n')).toBeNull();
    expect(instanceCgroup('/sys/fs/cgroup/unified', '/', 'abc')).toBe('/sys/fs/cgroup/unified/procd-abc');
  });

});

function p(pid: number, ppid: number, pgid: number, sid: number, startTicks: number): ProcInfo {
  return { pid, ppid, pgid, sid, state: 'S', comm: `p${pid}`, startTicks, utimeTicks: 0, stimeTicks: 0, childTicks: 0, threads: 1, rssBytes: 4096, uid: null };
}

// The daemon (90), a job's shim (99), its leader (100) and child (101); 200 is a `setsid env -i`
// escapee whose parent exited (init's child, own group and session, no marker); 300 is its child.
const procs = [p(1, 0, 1, 1, 1), p(90, 1, 90, 90, 20), p(99, 90, 99, 99, 30), p(100, 99, 100, 100, 1000), p(101, 100, 100, 100, 1001), p(200, 1, 200, 200, 2000), p(300, 200, 200, 200, 3000), p(400, 1, 400, 400, 4000)];
const snap = (cgroups: [string, number[]][], marked: [number, number[]][] = []) =>
  snapshotOf(new Map(procs.map((x) => [x.pid, x])), new Map(marked), { selfPid: 90, at: 0, readAtMs: 0, uptimeTicks: null }, new Map(cgroups));
const withCgroup = (job: Job, cgroup: string | null | undefined): Job => {
  const copy: Job = { ...job, cgroup };
  if (cgroup === undefined) delete copy.cgroup; // a record from before unique names
  return copy;
};

describe('membership through the cgroup the job record names', () => {
  const running = withCgroup(makeJob({ id: 1, state: runningState({ pid: 100, startTicks: 1000, shimPid: 99 }) }), 'job-1-aa11');

  it('everything in the job cgroup is a member; what only the cgroup leads to is marked as such', () => {
    const s = snap([['job-1-aa11', [100, 101, 200, 300]]]);
    expect(membersOf(running, s)).toEqual([100, 101, 200, 300]);
    expect(cgroupOnlyMembers(running, s)).toEqual([200, 300]);
    // a marker (or a group) finds it too: then it is not "cgroup only"
    expect(cgroupOnlyMembers(running, snap([['job-1-aa11', [100, 101, 200, 300]]], [[1, [200]]]))).toEqual([]);
    // descent from a cgroup-only member is cgroup-only too, even if the child left the cgroup list
    expect(cgroupOnlyMembers(running, snap([['job-1-aa11', [100, 200]]]))).toEqual([200, 300]);
  });

  it("a reused job id never takes an old job's cgroup: only the recorded name counts", () => {
    // job-1-old holds the leftovers of an earlier job 1 (a lost state file); the new job 1 is job-1-aa11
    const s = snap([['job-1-0dd0', [400]], ['job-1', [400]], ['job-1-aa11', [100]]]);
    expect(membersOf(running, s)).toEqual([100, 101]);
    expect(cgroupOnlyMembers(running, s)).toEqual([]);
  });

  it('a record from before unique names uses job-<id>; a job without a cgroup (null) uses none', () => {
    const s = snap([['job-1', [200]]]);
    expect(cgroupNameOf(withCgroup(running, undefined))).toBe('job-1');
    expect(membersOf(withCgroup(running, undefined), s)).toEqual([100, 101, 200, 300]);
    expect(cgroupNameOf(withCgroup(running, null))).toBeNull();
    expect(membersOf(withCgroup(running, null), s)).toEqual([100, 101]);
  });

  it('names are unique per launch', () => {
    expect(newJobCgroupName(7, 'c0ffee01')).toBe('job-7-c0ffee01');
    expect(newJobCgroupName(7)).toMatch(/^job-7-[0-9a-f]{8}$/);
    expect(newJobCgroupName(7)).not.toBe(newJobCgroupName(7));
  });
});

describe('createJobCgroup: a name is for one launch', () => {
  it('refuses a directory that already exists (never reuses it), and says what failed, where and what to do', async () => {
    const root = mkdtempSync(join(tmpdir(), 'procd-cg-'));
    try {
      expect(await createJobCgroup(root, 'job-1-aa11')).toBe(join(root, 'job-1-aa11'));
      const again = await createJobCgroup(root, 'job-1-aa11').catch((err: unknown) => err);
      expect(again).toBeInstanceOf(CgroupCreateError);
      expect(again).toMatchObject({ path: join(root, 'job-1-aa11'), code: 'EEXIST' });
      expect((again as Error).message).toBe(`could not create the job's cgroup ${root}/job-1-aa11 (EEXIST: file already exists); to run jobs without a cgroup per job, restart the daemon with PROCD_CONTAINMENT=pgroup`);
      const gone = join(root, 'gone');
      await expect(createJobCgroup(gone, 'job-2-bb22')).rejects.toThrow(`(ENOENT: the instance cgroup ${gone} is gone)`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('janitor: which job cgroups may go', () => {
  it('every job cgroup no live job holds; never a live job\'s (by its recorded name), never a name that is not a job cgroup', () => {
    const live = withCgroup(makeJob({ id: 1, state: runningState() }), 'job-1-aa11');
    const legacyLive = withCgroup(makeJob({ id: 3, state: runningState() }), undefined);
    const ended = withCgroup(makeJob({ id: 2, state: completedState() }), 'job-2-bb22');
    const held = liveCgroupNames([live, legacyLive, ended]);
    expect(held).toEqual(new Set(['job-1-aa11', 'job-3']));
    const names = ['job-1-aa11', 'job-1-0dd0', 'job-1', 'job-2-bb22', 'job-3', 'job-4', 'probe', 'cgroup.procs', 'job-01', 'job-5-XYZ'];
    expect(removable(names, held)).toEqual(['job-1-0dd0', 'job-1', 'job-2-bb22', 'job-4']);
  });
});
