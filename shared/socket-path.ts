// Where the daemon's socket is, worked out without the data-directory lookup (env-paths): a
// client only needs the socket to connect, and `procd ls` should not pay for more at start-up.

import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCode, ProcdError } from './errors.js';

export interface SocketLocation {
  socket: string;
  /** Directory that must be private to the user because it holds the socket (null for a named pipe). */
  socketDir: string | null;
}

/**
 * PROCD_SOCKET, else the named pipe on Windows, else `$PROCD_HOME/procd.sock`, else
 * `$XDG_RUNTIME_DIR/procd/procd.sock`, else `/tmp/procd-<uid>/procd.sock` ($TMPDIR on macOS).
 */
export function resolveSocket(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): SocketLocation {
  if (env.PROCD_SOCKET) {
    const socket = platform === 'win32' ? env.PROCD_SOCKET : resolve(env.PROCD_SOCKET);
    return { socket, socketDir: platform === 'win32' ? null : resolve(socket, '..') };
  }
  if (platform === 'win32') return { socket: windowsPipeName(env), socketDir: null };
  if (env.PROCD_HOME) {
    const home = resolve(env.PROCD_HOME);
    return { socket: join(home, 'procd.sock'), socketDir: home };
  }
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

export function uid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : 0;
}

/** Longest socket path the platform accepts (sun_path minus the terminating NUL). */
export function socketPathLimit(platform: NodeJS.Platform = process.platform): number {
  return platform === 'linux' ? 107 : 103;
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
