// One daemon per home. On Linux the lock is an abstract-namespace Unix socket named after the
// home: binding is atomic and the kernel releases it when the process dies, so there is never a
// stale lock to break (20 daemons started at once → exactly one binds). Elsewhere a pid file
// created with O_EXCL, broken only when the pid in it is no longer alive.

import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { lockPidFile, lockSocketName, pidAlive } from '../../shared/instance-lock-address.js';

export interface InstanceLock {
  release(): void;
}

export class AlreadyRunning extends Error {
  constructor(readonly pid: number | null) {
    super(pid ? `another procd daemon (pid ${pid}) already owns this home` : 'another procd daemon already owns this home');
  }
}

export async function acquireInstanceLock(home: string): Promise<InstanceLock> {
  if (process.platform === 'linux') return acquireAbstractSocketLock(home);
  return acquirePidFileLock(lockPidFile(home));
}

function acquireAbstractSocketLock(home: string): Promise<InstanceLock> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer((s) => s.destroy());
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new AlreadyRunning(null) : err);
    });
    server.listen(lockSocketName(home), () => {
      server.unref();
      resolve({ release: () => server.close() });
    });
  });
}

function acquirePidFileLock(file: string): InstanceLock {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSafe(file));
      if (pid > 0 && pidAlive(pid)) throw new AlreadyRunning(pid);
      rmSync(file, { force: true }); // stale: its owner is gone
    }
  }
  throw new AlreadyRunning(null);
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}
