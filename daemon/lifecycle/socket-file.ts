// Preparing the socket path: a private directory, a length the kernel will not truncate, and a
// stale socket (left by a killed daemon) replaced — but never one a live daemon still answers on.

import { lstatSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { checkSocketPathLength, ensurePrivateDir, type ProcdPaths } from '../../shared/paths.js';

export async function prepareSocketPath(paths: ProcdPaths): Promise<void> {
  checkSocketPathLength(paths.socket);
  if (paths.socketDir) ensurePrivateDir(paths.socketDir);
  if (process.platform === 'win32') return;
  let exists = false;
  try {
    const st = lstatSync(paths.socket);
    if (!st.isSocket()) throw new Error(`${paths.socket} exists and is not a socket; remove it or set PROCD_SOCKET`);
    exists = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!exists) return;
  if (await answers(paths.socket)) {
    throw new Error(`a process is already listening on ${paths.socket} (another procd home using the same PROCD_SOCKET?)`);
  }
  rmSync(paths.socket, { force: true });
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    setTimeout(() => done(false), 1000).unref();
  });
}
