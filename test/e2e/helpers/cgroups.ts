// The cgroups of one test daemon's instance: where they are, and their removal in cleanup (the
// daemon is SIGKILLed there, so it cannot remove them itself). Only this home's root is touched.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroup2Mount, instanceCgroup, ownCgroup, tryRmdir } from '../../../daemon/cgroup/containment.js';
import { instanceId } from '../../../daemon/daemon.js';
import { waitFor } from '../../helpers/wait-for.js';

/** The instance root a daemon started by this test process uses for `home` (it inherits our cgroup), or null. */
export function instanceCgroupOf(home: string): string | null {
  try {
    const mount = cgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'));
    const own = ownCgroup(readFileSync('/proc/self/cgroup', 'utf8'));
    return mount && own !== null ? instanceCgroup(mount, own, instanceId(home)) : null;
  } catch {
    return null;
  }
}

/** Kills what is left in this home's job cgroups and removes them and the instance root. */
export async function removeInstanceCgroups(home: string): Promise<void> {
  const root = instanceCgroupOf(home);
  if (!root || !existsSync(root)) return;
  for (const name of readdirSync(root).filter((n) => n.startsWith('job-'))) {
    const cg = join(root, name);
    try {
      writeFileSync(join(cg, 'cgroup.kill'), '1');
    } catch {
      for (const pid of readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    await waitFor(() => tryRmdir(cg), { what: `${cg} to be empty and removed`, timeoutMs: 5000 });
  }
  await waitFor(() => tryRmdir(root), { what: `${root} to be removed`, timeoutMs: 5000 });
}
