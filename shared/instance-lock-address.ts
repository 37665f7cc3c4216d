// Where a home's instance lock lives, shared by the daemon that takes it and the clients that
// look before autostarting one (a held lock means a daemon is running or starting: wait, do not spawn).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';

/** On Linux an abstract-namespace Unix socket named after the user and the home. */
export function lockSocketName(home: string): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return `\0procd-lock-${uid}-${createHash('sha256').update(home).digest('hex').slice(0, 32)}`;
}

/** Elsewhere a pid file created with O_EXCL. */
export function lockPidFile(home: string): string {
  return join(home, 'daemon.lock');
}

/** Whether some daemon holds the home's lock now (alive, whether or not its socket answers yet). */
export function instanceLockHeld(home: string): Promise<boolean> {
  if (process.platform !== 'linux') {
    let pid = 0;
    try {
      pid = Number(readFileSync(lockPidFile(home), 'utf8').trim());
    } catch {
      return Promise.resolve(false);
    }
    return Promise.resolve(pid > 0 && pidAlive(pid));
  }
  return new Promise((resolve) => {
    const socket = createConnection(lockSocketName(home));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Whether a pid exists, by a signal-0 probe (EPERM: it exists, another user's). The pid-file lock's
 * check, and the daemon's where neither /proc nor ps can say more (daemon/proc/process-table.ts).
 * Kept here rather than in a module of its own: the CLI bundle inlines this file (autostart).
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
