// Where procd keeps things. PROCD_HOME puts everything (state, job output, logs, socket) under
// one directory, which is what tests and isolated setups use; PROCD_SOCKET overrides the socket
// and PROCD_LOG_DIR the daemon's log directory.

import { lstatSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import envPaths from 'env-paths';
import { ErrorCode, ProcdError } from './errors.js';

export interface ProcdPaths {
  home: string;
  stateFile: string;
  jobsDir: string;
  logDir: string;
  logFile: string;
  socket: string;
  /** Directory that must be private to the user because it holds the socket (null for a named pipe). */
  socketDir: string | null;
}

/** Longest socket path the platform accepts (sun_path minus the terminating NUL). */
export function socketPathLimit(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' ? 107 : 103;
}

export function resolvePaths(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): ProcdPaths {
  let home: string;
  let logDir: string;
  if (env.PROCD_HOME) {
    home = resolve(env.PROCD_HOME);
    logDir = join(home, 'logs');
  } else {
    const p = envPaths('procd', { suffix: '' });
    home = p.data;
    logDir = p.log;
  }
  if (env.PROCD_LOG_DIR) logDir = resolve(env.PROCD_LOG_DIR);
  const { socket, socketDir } = resolveSocket(env, platform, home);
  return {
    home,
    stateFile: join(home, 'state.json'),
    jobsDir: join(home, 'jobs'),
    logDir,
    // pino-roll writes daemon.N.log and keeps current.log pointing at the active file.
    logFile: join(logDir, 'current.log'),
    socket,
    socketDir,
  };
}

function resolveSocket(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): { socket: string; socketDir: string | null } {
  if (env.PROCD_SOCKET) {
    const socket = platform === 'win32' ? env.PROCD_SOCKET : resolve(env.PROCD_SOCKET);
    return { socket, socketDir: platform === 'win32' ? null : resolve(socket, '..') };
  }
  if (platform === 'win32') return { socket: windowsPipeName(env), socketDir: null };
  if (env.PROCD_HOME) return { socket: join(home, 'procd.sock'), socketDir: home };
  const runtime = env.XDG_RUNTIME_DIR;
  const dir = runtime ? join(runtime, 'procd') : join(env.TMPDIR && platform === 'darwin' ? env.TMPDIR : '/tmp', `procd-${uid()}`);
  return { socket: join(dir, 'procd.sock'), socketDir: dir };
}

export function windowsPipeName(env: NodeJS.ProcessEnv = process.env): string {
  const user = (env.USERNAME ?? safeUserName()).replace(/[^A-Za-z0-9_.-]/g, '_');
  return `\\\\.\\pipe\\procd-${user}`;
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'user';
  }
}

function uid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/** Refuses a socket path the kernel would silently truncate, with a message that says how to fix it. */
export function checkSocketPathLength(socket: string, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') return;
  const limit = socketPathLimit(platform);
  const bytes = Buffer.byteLength(socket);
  if (bytes > limit) {
    throw new ProcdError(
      ErrorCode.SpawnSetupFailed,
      `socket path is ${bytes} bytes, longer than the ${limit}-byte limit of this platform: ${socket}\n` +
        `fix: set PROCD_SOCKET to a shorter path (e.g. /tmp/procd-${uid()}.sock) or use a shorter PROCD_HOME`,
      { socket, bytes, limit },
    );
  }
}

/**
 * Creates (if needed) and verifies a directory that must be private: a real directory, not a
 * symlink, owned by this user, with no group/other permissions. Throws a ProcdError saying why not.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const why = privateDirProblem(st, uid());
  if (why) {
    throw new ProcdError(ErrorCode.SpawnSetupFailed, `refusing to use ${dir}: ${why}`, { dir, reason: why });
  }
}

export function privateDirProblem(st: { isSymbolicLink(): boolean; isDirectory(): boolean; uid: number; mode: number }, myUid: number): string | null {
  if (st.isSymbolicLink()) return 'it is a symbolic link (it could point anywhere); remove it';
  if (!st.isDirectory()) return 'it is not a directory';
  if (process.platform !== 'win32' && st.uid !== myUid) return `it is owned by uid ${st.uid}, not by you (uid ${myUid})`;
  if ((st.mode & 0o077) !== 0) return `its mode is ${(st.mode & 0o777).toString(8)}, it must be 700 (fix: chmod 700 the directory)`;
  return null;
}
