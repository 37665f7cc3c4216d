// One way to run a real daemon in tests: each test gets its own PROCD_HOME (and so its own
// socket and instance marker), talks to it through the compiled CLI or the client library, and
// cleanup kills the daemon and every process that carries this home's marker — also on failure.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect, type ProcdClient } from '../../../client/index.js';
import { resolvePaths, type ProcdPaths } from '../../../shared/paths.js';
import { instanceId } from '../../../daemon/daemon.js';
import { removeInstanceCgroups } from './cgroups.js';

export const REPO = resolve(import.meta.dirname, '../../..');
export const CLI = join(REPO, 'dist/client/cli/main.js');
export const FIXTURES = join(REPO, 'test/fixtures');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: Buffer;
}

export interface TestDaemon {
  home: string;
  paths: ProcdPaths;
  env: NodeJS.ProcessEnv;
  /** Runs the compiled CLI with this home; never throws for a non-zero exit. */
  cli(args: string[], opts?: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string; cliPath?: string }): Promise<CliResult>;
  client(): Promise<ProcdClient>;
  cleanup(): Promise<void>;
}

export async function startTestDaemon(opts: { env?: NodeJS.ProcessEnv; autostartOnly?: boolean } = {}): Promise<TestDaemon> {
  const home = mkdtempSync(join(tmpdir(), 'procd-t-'));
  // XDG_CACHE_HOME: a copy of the CLI with other file times (upgrade tests) keeps its own code cache here, not in ~/.cache.
  const env: NodeJS.ProcessEnv = { ...process.env, PROCD_HOME: home, PROCD_LOG_LEVEL: 'debug', XDG_CACHE_HOME: join(home, 'xdg-cache'), ...opts.env };
  delete env.PROCD_SOCKET;
  delete env.PROCD_JOB_ID;
  const paths = resolvePaths(env);
  const clients: ProcdClient[] = [];

  const cli: TestDaemon['cli'] = (args, o = {}) =>
    new Promise((resolveRun) => {
      const child = spawn(process.execPath, [o.cliPath ?? CLI, ...args], { env: { ...env, ...o.env }, cwd: o.cwd ?? home, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        const stdoutBytes = Buffer.concat(out);
        resolveRun({ code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
      });
    });

  const daemon: TestDaemon = {
    home,
    paths,
    env,
    cli,
    async client() {
      const c = await connect({ paths, autostart: true });
      clients.push(c);
      return c;
    },
    async cleanup() {
      for (const c of clients) c.close();
      const pid = daemonPid(paths);
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      killMarked(home);
      await removeInstanceCgroups(home);
      rmSync(home, { recursive: true, force: true });
    },
  };
  if (!opts.autostartOnly) {
    const r = await cli(['daemon', 'start']);
    if (r.code !== 0) {
      await daemon.cleanup();
      throw new Error(`daemon did not start: ${r.stderr}`);
    }
  }
  return daemon;
}

/** The daemon's pid, from the lock holder's answer to `daemon status` — or by scanning /proc. */
function daemonPid(paths: ProcdPaths): number | null {
  const r = spawnSync(process.execPath, [CLI, 'daemon', 'status', '--json', '--no-autostart'], { env: { ...process.env, PROCD_HOME: paths.home }, encoding: 'utf8' });
  try {
    const s = JSON.parse(r.stdout) as { pid?: number };
    return s.pid ?? null;
  } catch {
    return null;
  }
}

/**
 * SIGKILLs every process whose environment names this home: daemons and shims (PROCD_HOME) and
 * jobs (PROCD_INSTANCE, which every job carries; a job started through the library has the
 * test's environment, without PROCD_HOME).
 */
export function killMarked(home: string): number {
  const marks = [`PROCD_HOME=${home}`, `PROCD_INSTANCE=${instanceId(home)}`];
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    const entries = environ.split('\0');
    if (marks.some((m) => entries.includes(m))) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // gone
      }
    }
  }
  return killed;
}

/** True while the pid exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * True once no thread of the process is left running. A multi-threaded process killed by a signal
 * shows its leader as a zombie while other threads (e.g. the logger's worker) still exit, and its
 * sockets close only after the last one: wait for this before expecting its socket to be closed.
 */
export function processGone(pid: number): boolean {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  return tasks.every((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state === 'Z' || state === 'X';
    } catch {
      return true;
    }
  });
}
