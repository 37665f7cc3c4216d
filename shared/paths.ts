// Where procd keeps things. PROCD_HOME puts everything (state, job output, logs, socket) under
// one directory, which is what tests and isolated setups use; PROCD_SOCKET overrides the socket
// and PROCD_LOG_DIR the daemon's log directory.

import { lstatSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import envPaths from 'env-paths';
import { ErrorCode, ProcdError } from './errors.js';
import { resolveSocket, uid } from './socket-path.js';

export { checkSocketPathLength, socketPathLimit, windowsPipeName } from './socket-path.js';

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
  const { socket, socketDir } = resolveSocket(env, platform);
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
