// The contract's cgroup field (spawn spec version 2), for both shims (shim-native.test.ts imports
// this file again with the native shim): the child joins the cgroup before exec, the shim stays
// outside, and a cgroup it cannot join is a spawn error, never a job run outside it.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseContainment, cgroup2Mount, ownCgroup, tryRmdir } from '../../../daemon/cgroup/containment.js';
import { encodeSpawnSpec, parseShimEvent, readStartedFile } from '../../../daemon/output/spawn-spec.js';
import { Harness, shimKind, waitClosed, waitExit } from './shim-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const h = new Harness();
const made: string[] = [];
afterEach(async () => {
  await h.cleanup();
  // cleanup killed the jobs; a cgroup is removable once the kernel has emptied it
  for (const cg of made.splice(0)) await waitFor(() => tryRmdir(cg), { what: `${cg} to be removed` });
});

/** A writable cgroup v2 directory below ours, or null (then the join test is skipped). */
function testCgroupBase(): string | null {
  const probe = chooseContainment({ PROCD_CONTAINMENT: 'auto' }, () => {
    try {
      const mount = cgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'));
      const own = ownCgroup(readFileSync('/proc/self/cgroup', 'utf8'));
      if (!mount || own === null) return { ok: false, why: 'no v2' };
      return { ok: true, root: join(mount, own) };
    } catch {
      return { ok: false, why: 'no /proc' };
    }
  });
  if (probe.kind !== 'cgroup') return null;
  const dir = join(probe.root, `procd-shim-test-${process.pid}-${shimKind()}-${Date.now()}`);
  try {
    mkdirSync(dir);
    made.push(dir);
    return dir;
  } catch {
    return null;
  }
}

describe(`procd-shim (${shimKind()}): the job's cgroup`, () => {
  it('spec version 2 carries the cgroup after segmentBytes; version 1 without one', () => {
    const base = { argv: ['true'], cwd: '/', env: {}, maxOutputBytes: 10, segmentBytes: 10 };
    expect(encodeSpawnSpec(base).toString().split('\0').slice(0, 5)).toEqual(['procd-spawn-spec', '1', '10', '10', '/']);
    expect(encodeSpawnSpec({ ...base, cgroup: '/cg/job-1' }).toString().split('\0').slice(0, 6)).toEqual(['procd-spawn-spec', '2', '10', '10', '/cg/job-1', '/']);
    expect(() => encodeSpawnSpec({ ...base, cgroup: 'relative' })).toThrow(/absolute/);
  });

  it('puts the job (not the shim) in the cgroup before exec', async (ctx) => {
    const cg = testCgroupBase();
    if (!cg) return ctx.skip();
    const run = await h.start(h.defaults(['sh', '-c', 'cat /proc/self/cgroup; sleep 1000'], { cgroup: cg }));
    const started = await waitFor(() => readStartedFile(run.dir), { what: 'started' });
    const procs = readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    expect(procs).toContain(started.pid);
    expect(procs).not.toContain(started.shimPid);
  });

  it('reports a cgroup it cannot join as a spawn error and does not run the job', async () => {
    const missing = `/nonexistent-procd-cgroup-${process.pid}`;
    const run = await h.start(h.defaults(['sh', '-c', 'echo ran'], { cgroup: missing }));
    const exit = await waitExit(run.dir);
    expect(exit).toMatchObject({ spawnError: { code: 'ENOENT' } });
    expect('spawnError' in exit && exit.spawnError.message).toBe(`cannot join the job's cgroup ${missing}: No such file or directory`);
    await waitClosed(run.dir);
    expect(await readStartedFile(run.dir)).toBeNull();
    await run.ended; // the events come through a pipe (served: relayed by the server), after the files
    expect(run.events.map((l) => parseShimEvent(l)?.type)).toEqual(['spawn_error', 'closed']);
  });
});
