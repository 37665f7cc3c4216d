// One procd daemon in a temporary PROCD_HOME for a benchmark, and everything it started ended
// afterwards, also when the benchmark fails: the daemon is asked to stop, then every process
// whose environment names that home is killed, then the instance's cgroups (if it used any) are
// removed, since jobs killed behind the daemon's back leave their empty cgroups behind.

import { mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const REPO = resolve(import.meta.dirname, '..');
const { connect } = await import(join(REPO, 'dist/client/index.js'));
const { resolvePaths } = await import(join(REPO, 'dist/shared/paths.js'));

/**
 * Runs fn({ client, home, paths, env }) against a fresh daemon started with `env` added; in
 * `options.home` when given (a home prepared beforehand, kept afterwards), else in a temporary one.
 */
export async function withDaemon(env, fn, options = {}) {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'procd-bench-'));
  const fullEnv = { ...process.env, PROCD_HOME: home, ...env };
  delete fullEnv.PROCD_SOCKET;
  const paths = resolvePaths(fullEnv);
  const prev = { ...process.env };
  Object.assign(process.env, env, { PROCD_HOME: home });
  const client = await connect({ paths, autostart: true, callTimeoutMs: 120_000 });
  let cgroupRoot = null;
  try {
    cgroupRoot = (await client.daemonStatus({})).containment?.root ?? null;
    return await fn({ client, home, paths, env: fullEnv });
  } finally {
    try {
      await client.daemonStop({});
    } catch {
      // already gone
    }
    client.close();
    await delay(300);
    killMarked(home);
    if (cgroupRoot) await removeCgroupTree(cgroupRoot);
    if (!options.home) rmSync(home, { recursive: true, force: true });
    process.env = prev;
  }
}

/** SIGKILLs every process (but this one) whose environment has PROCD_HOME=home. */
export function killMarked(home) {
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/environ`, 'latin1').split('\0').includes(`PROCD_HOME=${home}`)) process.kill(Number(e), 'SIGKILL');
    } catch {
      // gone or not ours
    }
  }
}

/** Kills what is left in a cgroup tree (cgroup.kill) and removes it bottom-up, retried for 10 s while the kernel empties it. */
async function removeCgroupTree(root) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      rmTree(root);
      return;
    } catch (err) {
      if (err.code === 'ENOENT') return;
      if (Date.now() > deadline) {
        console.error(`  (bench: could not remove cgroup ${root}: ${err.message})`);
        return;
      }
      try {
        writeFileSync(join(root, 'cgroup.kill'), '1');
      } catch {
        // gone, or a kernel without cgroup.kill: the processes were SIGKILLed above anyway
      }
      await delay(50);
    }
  }
}

function rmTree(dir) {
  for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) rmTree(join(dir, d.name));
  rmdirSync(dir);
}
