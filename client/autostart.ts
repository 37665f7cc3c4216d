// Starting the daemon on demand: spawn it detached, then wait (bounded) until its socket answers.
// Many clients may do this at once; a client that finds the instance lock held waits instead of
// spawning, the lock lets exactly one daemon survive, and all clients end up connected to it. On
// failure the error shows the tail of the daemon's logs.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ErrorCode, ProcdError } from '../shared/errors.js';
import { instanceLockHeld } from '../shared/instance-lock-address.js';
import type { ProcdPaths } from '../shared/paths.js';
import { RpcConnection } from './rpc-connection.js';

/**
 * The daemon's bundle (bundle-daemon.mjs: one file instead of tsc's ~300 modules, for a faster
 * start): next to us in dist/, or in dist/ when this file runs from source (tests); tsc's
 * dist/daemon/main.js when only tsc has run.
 */
export const DAEMON_ENTRY = [
  new URL('../daemon/procd-daemon.cjs', import.meta.url),
  new URL('../dist/daemon/procd-daemon.cjs', import.meta.url),
  new URL('../daemon/main.js', import.meta.url),
  new URL('../dist/daemon/main.js', import.meta.url),
]
  .map((u) => fileURLToPath(u))
  .find((p) => existsSync(p)) ?? fileURLToPath(new URL('../daemon/procd-daemon.cjs', import.meta.url));
/** Exit code of a daemon that found another one already running (see daemon/main.ts). */
const EXIT_ALREADY_RUNNING = 3;

export function autostartLogFile(paths: ProcdPaths): string {
  return join(paths.logDir, 'autostart.log');
}

export async function startDaemonAndConnect(paths: ProcdPaths, timeoutMs: number): Promise<RpcConnection> {
  mkdirSync(paths.logDir, { recursive: true, mode: 0o700 });
  const logFile = autostartLogFile(paths);
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  let exitCode: number | null = null;
  // A held lock means a daemon is running or starting (another client spawned it): wait for it
  // instead of spawning one more that can only lose. When 20 clients start at once, most see it.
  let daemon = (await instanceLockHeld(paths.home)) ? null : spawnDaemon(paths, logFile);
  let lastSpawn = Date.now();
  while (Date.now() < deadline) {
    try {
      return await RpcConnection.open(paths.socket, Math.max(100, deadline - Date.now()));
    } catch (err) {
      lastError = err;
    }
    exitCode = daemon?.exitCode() ?? null;
    if (exitCode !== null && exitCode !== EXIT_ALREADY_RUNNING) break;
    // Ours lost the lock (or we never spawned): usually the holder is still starting and will
    // answer soon. Once nobody holds the lock (the holder was shutting down, or died), spawn again.
    const waitingForAnother = daemon === null || exitCode === EXIT_ALREADY_RUNNING;
    if (waitingForAnother && Date.now() - lastSpawn > 100 && !(await instanceLockHeld(paths.home))) {
      lastSpawn = Date.now();
      daemon = spawnDaemon(paths, logFile);
      continue;
    }
    await delay(20);
  }
  const why = exitCode !== null && exitCode !== EXIT_ALREADY_RUNNING ? `the daemon exited with code ${exitCode}` : `no answer within ${timeoutMs}ms`;
  throw new ProcdError(
    ErrorCode.DaemonUnavailable,
    `could not start the procd daemon: ${why} (${(lastError as Error | null)?.message ?? 'no error'}).\n` +
      `--- last lines of ${logFile} ---\n${tail(logFile, 15)}\n--- last lines of ${paths.logFile} ---\n${tail(paths.logFile, 15)}`,
    { socket: paths.socket, logFile },
  );
}

/** Spawns a detached daemon writing its early output to the autostart log. */
function spawnDaemon(paths: ProcdPaths, logFile: string): { exitCode(): number | null } {
  const fd = openSync(logFile, 'a', 0o600);
  let code: number | null = null;
  try {
    // The daemon must use the locations this client resolved, whatever its own environment says.
    const env = { ...process.env, PROCD_HOME: paths.home, PROCD_SOCKET: paths.socket, PROCD_LOG_DIR: paths.logDir };
    const child = spawn(process.execPath, [DAEMON_ENTRY], { detached: true, stdio: ['ignore', fd, fd], env });
    child.on('exit', (c) => (code = c ?? 1));
    child.on('error', () => (code = 1));
    child.unref();
  } finally {
    closeSync(fd);
  }
  return { exitCode: () => code };
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') || '(empty)';
  } catch {
    return '(no such file)';
  }
}
