// The kernel path of limits: which cgroup files a job's limits become (pure), and — where this
// machine's cgroup v2 has the controllers — that they are written into a real job cgroup and
// the kernel holds a tree to pids.max. Here the v2 mount has no memory/pids/cpu controller (they
// are on v1 hierarchies), so that part skips and says so.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { probeCgroup, tryRmdir } from '../../../daemon/cgroup/containment.js';
import { createJobCgroup, killCgroup } from '../../../daemon/cgroup/job-cgroup.js';
import { applyKernelLimits, kernelLimitWrites, memoryLimitKill, oomKilled, oomKilledIn, parseControllers } from '../../../daemon/cgroup/limits.js';
import { makeJob } from '../../helpers/job-factory.js';
import type { JobLimits } from '../../../shared/limits.js';
import { waitFor } from '../../helpers/wait-for.js';

const MiB = 1 << 20;
const ALL: JobLimits = { maxMemoryBytes: 50 * MiB, maxCpuPercent: 150, maxFds: 100, maxProcs: 50, onLimit: 'kill' };
const CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'pids'];

describe('kernelLimitWrites', () => {
  it('memory.max (+ memory.oom.group so the whole tree goes), pids.max and cpu.max (quota over a 100 ms period); fds have no controller', () => {
    expect(kernelLimitWrites(ALL, CONTROLLERS).map((w) => [w.file, w.value])).toEqual([
      ['memory.max', String(50 * MiB)],
      ['memory.oom.group', '1'],
      ['pids.max', '50'],
      ['cpu.max', '150000 100000'],
    ]);
  });

  it('only for the controllers the cgroup has: none listed, nothing written (the monitor samples)', () => {
    expect(kernelLimitWrites(ALL, [])).toEqual([]);
    expect(kernelLimitWrites(ALL, ['hugetlb'])).toEqual([]);
    expect(kernelLimitWrites(ALL, ['pids']).map((w) => w.file)).toEqual(['pids.max']);
  });

  it('never for --on-limit warn (a warning enforces nothing), nor without limits', () => {
    expect(kernelLimitWrites({ ...ALL, onLimit: 'warn' }, CONTROLLERS)).toEqual([]);
    expect(kernelLimitWrites(undefined, CONTROLLERS)).toEqual([]);
  });

  it('a tiny cpu limit still gets the kernel minimum quota (1 ms)', () => {
    expect(kernelLimitWrites({ ...ALL, maxMemoryBytes: null, maxProcs: null, maxCpuPercent: 1 }, CONTROLLERS).map((w) => w.value)).toEqual(['1000 100000']);
  });

  it('a kernel OOM kill is read from memory.events (then the job ends failed/limit memory, not killed by a signal)', () => {
    expect(oomKilled('low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n')).toBe(true);
    expect(oomKilled('low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 1\n')).toBe(true);
    expect(oomKilled('low 0\nhigh 0\nmax 3\noom 0\noom_kill 0\n')).toBe(false);
    expect(oomKilled('')).toBe(false);
  });

  it("reads the job's own cgroup: an OOM kill there is its memory limit's when it has one, else the kernel's for want of memory elsewhere", async () => {
    // A directory stands in for the v2 root: this machine's v2 hierarchy has no memory controller, so no memory.events.
    const fake = mkdtempSync(join(tmpdir(), 'procd-oom-'));
    try {
      mkdirSync(join(fake, 'job-1-abc'));
      mkdirSync(join(fake, 'job-2-def'));
      writeFileSync(join(fake, 'job-1-abc', 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\noom_group_kill 0\n');
      writeFileSync(join(fake, 'job-2-def', 'memory.events'), 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n');
      const plain = makeJob({ id: 1, cgroup: 'job-1-abc' });
      const limited = makeJob({ id: 1, cgroup: 'job-1-abc', spec: { limits: { ...ALL, maxCpuPercent: null, maxFds: null, maxProcs: null } } });
      expect(await oomKilledIn(fake, plain)).toBe(true);
      expect(await oomKilledIn(fake, makeJob({ id: 2, cgroup: 'job-2-def' }))).toBe(false);
      expect(await oomKilledIn(fake, makeJob({ id: 3, cgroup: 'job-3-gone' }))).toBe(false); // no such cgroup (any more)
      expect(await oomKilledIn(fake, makeJob({ id: 1, cgroup: null }))).toBe(false); // pgroup containment: nothing says so
      expect(await oomKilledIn(null, plain)).toBe(false);
      // Without a limit of procd's the kill is no limit's (the end watcher then records outcome oom).
      expect(memoryLimitKill(plain, 5000)).toBeNull();
      expect(memoryLimitKill(limited, 5000)).toMatchObject({ reason: 'limit', limit: 'memory', signal: 'SIGKILL', requestedAt: 5000 });
      expect(memoryLimitKill({ ...limited, spec: { ...limited.spec, limits: { ...limited.spec.limits!, onLimit: 'warn' } } }, 5000)).toBeNull();
    } finally {
      rmSync(fake, { recursive: true, force: true });
    }
  });

  it('parses controller lists', () => {
    expect(parseControllers('cpu memory pids\n')).toEqual(['cpu', 'memory', 'pids']);
    expect(parseControllers('\n')).toEqual([]);
  });
});

// A throwaway instance root, as a daemon would make (null: no cgroup per job here at all).
const probe = probeCgroup(`limits-test-${process.pid}`);
const root = probe.ok ? probe.root : null;
const rootControllers = root ? parseControllers(readFileSync(join(root, 'cgroup.controllers'), 'utf8')) : [];
const missing = ['memory', 'pids', 'cpu'].filter((c) => !rootControllers.includes(c));
const skipReason = !root
  ? `no cgroup per job on this machine (${probe.ok ? '' : probe.why})`
  : missing.length
    ? `this machine's cgroup v2 has no ${missing.join('/')} controller (cgroup.controllers: "${rootControllers.join(' ')}"); limits are sampled here`
    : null;

afterAll(async () => {
  if (!root) return;
  await waitFor(() => tryRmdir(join(root, 'job-1-test')), { what: 'the test job cgroup to go', timeoutMs: 10_000 });
  tryRmdir(root);
});

describe('applyKernelLimits on a real job cgroup', () => {
  it('writes the limits, and the kernel refuses forks beyond pids.max', async (ctx) => {
    if (skipReason) return ctx.skip(skipReason);
    const path = await createJobCgroup(root!, 'job-1-test');
    const { written, failed } = await applyKernelLimits(root!, path, ALL);
    expect(failed).toEqual([]);
    expect(written.map((w) => w.file)).toEqual(['memory.max', 'memory.oom.group', 'pids.max', 'cpu.max']);
    expect(readFileSync(join(path, 'memory.max'), 'utf8').trim()).toBe(String(50 * MiB));
    expect(readFileSync(join(path, 'pids.max'), 'utf8').trim()).toBe('50');
    expect(readFileSync(join(path, 'cpu.max'), 'utf8').trim()).toBe('150000 100000');
    // A shell in the cgroup tries to start 80 sleeps: the kernel lets at most 50 tasks exist.
    const r = spawnSync('/bin/sh', ['-c', `echo 0 > "$1/cgroup.procs"; n=0; for i in $(seq 80); do sleep 30 & n=$((n+1)); done 2>/dev/null; cat "$1/pids.events"`, 'sh', path], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    await killCgroup(path); // the sleeps that did start (never a signal to our own process group)
    expect(r.stdout).toMatch(/^max [1-9]/m);
  }, 60_000);
});
