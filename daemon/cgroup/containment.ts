// How a job's processes are held together: a cgroup v2 per job where the kernel lets this daemon
// create one (exact membership, cgroup.kill), else process groups, sessions and markers (pgroup).
// PROCD_CONTAINMENT=cgroup|pgroup|auto (default auto) forces one. The decision is pure
// (chooseContainment); probeCgroup is the thin layer that looks at the machine.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

export type ContainmentMode = 'auto' | 'cgroup' | 'pgroup';

/** What the probe found: a parent cgroup for this instance's jobs, or why there is none. */
export type CgroupProbe = { ok: true; root: string } | { ok: false; why: string };

export type Containment = { kind: 'cgroup'; root: string; why: string } | { kind: 'pgroup'; why: string };

/** PROCD_CONTAINMENT's value, and a note when it is not one of the three. */
export function containmentMode(value: string | undefined): { mode: ContainmentMode; note: string } {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return { mode: 'auto', note: 'PROCD_CONTAINMENT=auto' };
  if (v === 'cgroup' || v === 'pgroup') return { mode: v, note: `PROCD_CONTAINMENT=${v}` };
  return { mode: 'auto', note: `PROCD_CONTAINMENT=${value} is not cgroup, pgroup or auto: taken as auto` };
}

/**
 * The decision. A forced cgroup that the probe refused still falls back to pgroup (a daemon that
 * cannot run jobs helps nobody), but says so: the why carries the probe's reason.
 */
export function chooseContainment(env: { PROCD_CONTAINMENT?: string | undefined }, probe: () => CgroupProbe): Containment {
  const { mode, note } = containmentMode(env.PROCD_CONTAINMENT);
  if (mode === 'pgroup') return { kind: 'pgroup', why: note };
  const found = probe();
  if (found.ok) return { kind: 'cgroup', root: found.root, why: `a cgroup per job below ${found.root}; ${note}` };
  const forced = mode === 'cgroup' ? ' (forced, but unavailable: falling back)' : '';
  return { kind: 'pgroup', why: `no cgroup per job: ${found.why}${forced}; ${note}` };
}

/** The cgroup2 mount point from /proc/self/mountinfo's text, or null. */
export function cgroup2Mount(mountinfo: string): string | null {
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post || post.split(' ')[0] !== 'cgroup2') continue;
    const mountPoint = pre.split(' ')[4];
    if (mountPoint) return mountPoint.replace(/\\040/g, ' ');
  }
  return null;
}

/** This process's path in the v2 hierarchy (the `0::` line of /proc/self/cgroup), or null. */
export function ownCgroup(procSelfCgroup: string): string | null {
  const line = procSelfCgroup.split('\n').find((l) => l.startsWith('0::'));
  return line ? line.slice(3) || '/' : null;
}

/** The parent cgroup of one instance's jobs: named by the instance id, so daemons never share one. */
export function instanceCgroup(mount: string, own: string, instance: string): string {
  return join(mount, own, `procd-${instance}`);
}

/** Looks at the machine: a v2 mount, our place in it, and whether we may create and fill a child there. */
export function probeCgroup(instance: string): CgroupProbe {
  if (process.platform !== 'linux') return { ok: false, why: `cgroups are Linux-only (this is ${process.platform})` };
  let mount: string | null;
  let own: string | null;
  try {
    mount = cgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'));
    own = ownCgroup(readFileSync('/proc/self/cgroup', 'utf8'));
  } catch (err) {
    return { ok: false, why: `cannot read /proc: ${(err as Error).message}` };
  }
  if (!mount) return { ok: false, why: 'no cgroup v2 hierarchy is mounted' };
  if (own === null) return { ok: false, why: 'this process is not in the cgroup v2 hierarchy' };
  const root = instanceCgroup(mount, own, instance);
  try {
    mkdirSync(root, { recursive: true });
    accessSync(join(root, 'cgroup.procs'), constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, why: `cannot create a cgroup below ${join(mount, own)} (${code}: needs root or a delegated cgroup, e.g. systemd Delegate=yes)` };
  }
  const joined = canJoin(join(root, 'probe'));
  if (joined !== null) {
    tryRmdir(root); // ours, and empty: the probe left nothing in it
    return { ok: false, why: `a process cannot join a cgroup below ${join(mount, own)} (${joined})` };
  }
  return { ok: true, root };
}

/**
 * Does what a shim's child does — a fresh process writes 0 to cgroup.procs — in a throwaway
 * cgroup: creating a cgroup is not enough (moving a process also needs the common ancestor's
 * cgroup.procs). Null when it worked, else why not.
 */
function canJoin(probe: string): string | null {
  try {
    mkdirSync(probe, { recursive: true });
  } catch (err) {
    return (err as Error).message;
  }
  const r = spawnSync('/bin/sh', ['-c', 'echo 0 > "$1/cgroup.procs"', 'sh', probe], { encoding: 'utf8', timeout: 5000 });
  // The child is reaped by now, so the probe cgroup is empty; the kernel may take a moment to say so.
  // (A short synchronous pause, not a process started only to pass time: this runs at daemon start.)
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 50 && !tryRmdir(probe); i++) Atomics.wait(pause, 0, 0, 2);
  if (r.error) return r.error.message;
  return r.status === 0 ? null : (r.stderr.trim() || `exit status ${r.status}`);
}

/** Removes an (empty) cgroup directory; true when it is gone (also when it was never there). */
export function tryRmdir(path: string): boolean {
  try {
    rmdirSync(path);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
