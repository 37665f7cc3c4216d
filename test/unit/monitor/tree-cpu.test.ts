// treeTicksSince(): CPU of a job's tree between two ticks, short-lived children included; treeCpu():
// the job cgroup's usage_usec where the job has one, else /proc.

import { describe, expect, it } from 'vitest';
import { parseCpuUsageUsec } from '../../../daemon/cgroup/job-cgroup.js';
import { treeCpu, treeReading, treeTicksSince, type TreeMember } from '../../../daemon/monitor/tree-cpu.js';

const m = (key: string, ownTicks: number, childTicks = 0, startTicks = 0): TreeMember => ({ key, ownTicks, totalTicks: ownTicks + childTicks, startTicks });
const gone = () => false;

describe('treeTicksSince', () => {
  it('is null for the first reading', () => {
    expect(treeTicksSince(undefined, [m('1:0', 10)], gone)).toBeNull();
  });

  it('counts the CPU of children that were born and reaped between two ticks through the parent', () => {
    // A shell at 5 own ticks; between the ticks it ran children worth 80 ticks and reaped them.
    const prev = treeReading([m('1:0', 5)], 0, 1000);
    expect(treeTicksSince(prev, [m('1:0', 6, 80)], gone)).toBe(81);
  });

  it('counts a child born since the last tick with its whole total, and does not count it twice once reaped', () => {
    const t0 = treeReading([m('1:0', 5)], 0, 1000);
    const now1 = [m('1:0', 5), m('2:1050', 30, 0, 1050)];
    expect(treeTicksSince(t0, now1, gone)).toBe(30);
    const t1 = treeReading(now1, 1000, 1100);
    // the child ran 10 more ticks, exited, and the shell reaped it: its 40 ticks moved to cutime
    expect(treeTicksSince(t1, [m('1:0', 5, 40)], gone)).toBe(10);
  });

  it('does not count the past of a process that existed before the last tick but joined the tree only now', () => {
    const prev = treeReading([m('1:0', 5)], 0, 1000);
    expect(treeTicksSince(prev, [m('1:0', 5), m('9:500', 700, 0, 500)], gone)).toBe(0);
  });

  it('never reads less than the members’ own use, even when an orphan was reaped outside the tree', () => {
    // 3:900 (40 ticks) was reaped by init: nothing moved into the tree, but the formula subtracts it.
    const prev = treeReading([m('1:0', 5), m('3:900', 40, 0, 900)], 0, 1000);
    expect(treeTicksSince(prev, [m('1:0', 25)], gone)).toBe(20);
  });

  it('does not subtract a member that left the tree but still runs', () => {
    const prev = treeReading([m('1:0', 5, 0), m('4:10', 50)], 0, 1000);
    expect(treeTicksSince(prev, [m('1:0', 8, 0)], (key) => key === '4:10')).toBe(3);
  });

  it('ignores counters that went backwards', () => {
    const prev = treeReading([m('1:0', 50)], 0, 1000);
    expect(treeTicksSince(prev, [m('1:0', 40)], gone)).toBe(0);
  });
});

describe('treeCpu: the cgroup figure where there is one, else /proc', () => {
  const HZ = 100;
  const reading = (atMs: number, cgroupUsageUsec: number | null, cpuTimeMs: number) => treeReading([m('1:0', 5)], atMs, 1000, { cgroupUsageUsec, cpuTimeMs });

  it('with a cgroup: rate and total from usage_usec, also what exited unseen (/proc saw nothing of it)', () => {
    // 2 s apart, the cgroup used 1.5 s of CPU (orphans reaped by init); /proc saw 0 ticks.
    expect(treeCpu(reading(1000, 500_000, 500), { atMs: 3000, cgroupUsageUsec: 2_000_000, procTicks: 0, memberTicks: 5 }, HZ)).toEqual({ source: 'cgroup', cpuPercent: 75, cpuTimeMs: 2000 });
  });

  it('with a cgroup, first reading: the total since launch, no rate yet', () => {
    expect(treeCpu(undefined, { atMs: 1000, cgroupUsageUsec: 250_000, procTicks: null, memberTicks: 5 }, HZ)).toEqual({ source: 'cgroup', cpuPercent: null, cpuTimeMs: 250 });
  });

  it('a cgroup readable now but not at the last tick: the total, no rate (never mixes the two sources in a rate)', () => {
    expect(treeCpu(reading(1000, null, 300), { atMs: 3000, cgroupUsageUsec: 900_000, procTicks: 40, memberTicks: 5 }, HZ)).toEqual({ source: 'cgroup', cpuPercent: null, cpuTimeMs: 900 });
  });

  it('without a cgroup: /proc ticks for the rate, summed tick by tick for the total', () => {
    expect(treeCpu(undefined, { atMs: 1000, cgroupUsageUsec: null, procTicks: null, memberTicks: 30 }, HZ)).toEqual({ source: 'proc', cpuPercent: null, cpuTimeMs: 300 });
    expect(treeCpu(reading(1000, null, 300), { atMs: 3000, cgroupUsageUsec: null, procTicks: 50, memberTicks: 80 }, HZ)).toEqual({ source: 'proc', cpuPercent: 25, cpuTimeMs: 800 });
  });

  it('usage_usec going backwards (a new cgroup) reads 0%, not a negative rate', () => {
    expect(treeCpu(reading(1000, 900_000, 900), { atMs: 3000, cgroupUsageUsec: 100_000, procTicks: 0, memberTicks: 5 }, HZ).cpuPercent).toBe(0);
  });

  it('reads usage_usec from cpu.stat', () => {
    expect(parseCpuUsageUsec('usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n')).toBe(1234567);
    expect(parseCpuUsageUsec('user_usec 1\n')).toBeNull();
  });
});
