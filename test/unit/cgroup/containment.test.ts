import { describe, expect, it } from 'vitest';
import { cgroup2Mount, chooseContainment, containmentMode, instanceCgroup, ownCgroup, type CgroupProbe } from '../../../daemon/cgroup/containment.js';
import { withCgroupMembers } from '../../../daemon/monitor/snapshot.js';

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

  it('cgroup members join marker hits per job, without duplicates', () => {
    const merged = withCgroupMembers(new Map([[1, [10, 12]]]), new Map([[1, [12, 11]], [2, [20]]]));
    expect(merged).toEqual(new Map([[1, [10, 11, 12]], [2, [20]]]));
  });
});

describe('janitor: which job cgroups may go', () => {
  it('those of ended or unknown jobs; never a live job, never a name that is not job-<id>', async () => {
    const { removable } = await import('../../../daemon/cgroup/janitor.js');
    const state = (kind: string) => ({ state: { kind } }) as unknown as import('../../../shared/job.js').Job;
    const jobs = new Map([[1, state('running')], [2, state('completed')], [3, state('queued')]]);
    expect(removable(['job-1', 'job-2', 'job-3', 'job-4', 'probe', 'cgroup.procs', 'job-01'], (id) => jobs.get(id))).toEqual(['job-2', 'job-4']);
  });
});
