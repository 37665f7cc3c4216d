import { mkdirSync, mkdtempSync, rmSync, symlinkSync, chmodSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSocketPathLength, ensurePrivateDir, privateDirProblem, resolvePaths, socketPathLimit, windowsPipeName } from '../../../shared/paths.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'procd-paths-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('paths', () => {
  it('PROCD_HOME puts state, jobs, logs and the socket under one directory', () => {
    const p = resolvePaths({ PROCD_HOME: '/x/home' }, 'linux');
    expect(p).toMatchObject({ home: '/x/home', stateFile: '/x/home/state.json', jobsDir: '/x/home/jobs', logDir: '/x/home/logs', socket: '/x/home/procd.sock', socketDir: '/x/home' });
  });

  it('prefers $XDG_RUNTIME_DIR/procd for the socket, and PROCD_SOCKET / PROCD_LOG_DIR override', () => {
    expect(resolvePaths({ XDG_RUNTIME_DIR: '/run/user/7', HOME: '/home/u' }, 'linux').socket).toBe('/run/user/7/procd/procd.sock');
    expect(resolvePaths({ HOME: '/home/u' }, 'linux').socket).toMatch(/^\/tmp\/procd-\d+\/procd\.sock$/);
    const p = resolvePaths({ PROCD_HOME: '/h', PROCD_SOCKET: '/s/p.sock', PROCD_LOG_DIR: '/l' }, 'linux');
    expect(p).toMatchObject({ socket: '/s/p.sock', socketDir: '/s', logDir: '/l' });
  });

  it('uses a per-user named pipe on Windows', () => {
    expect(windowsPipeName({ USERNAME: 'Ada Lovelace' })).toBe('\\\\.\\pipe\\procd-Ada_Lovelace');
    const p = resolvePaths({ USERNAME: 'ada', PROCD_HOME: 'C:\\procd' }, 'win32');
    expect(p.socket).toBe('\\\\.\\pipe\\procd-ada');
    expect(p.socketDir).toBeNull();
    expect(() => checkSocketPathLength(`\\\\.\\pipe\\${'x'.repeat(300)}`, 'win32')).not.toThrow();
  });

  it('refuses socket paths the kernel would truncate, saying how to fix it', () => {
    expect(socketPathLimit('linux')).toBe(107);
    expect(socketPathLimit('darwin')).toBe(103);
    expect(() => checkSocketPathLength(`/${'a'.repeat(106)}`, 'linux')).not.toThrow();
    expect(() => checkSocketPathLength(`/${'a'.repeat(107)}`, 'linux')).toThrow(/108 bytes, longer than the 107-byte limit.*\n.*PROCD_SOCKET/);
    expect(() => checkSocketPathLength(`/${'a'.repeat(103)}`, 'darwin')).toThrow(/103-byte limit/);
    // bytes, not characters
    expect(() => checkSocketPathLength(`/${'é'.repeat(54)}`, 'linux')).toThrow(/109 bytes/);
  });

  it('accepts a private directory and refuses unsafe ones with the reason', () => {
    const good = join(dir, 'good');
    ensurePrivateDir(good);
    expect(lstatSync(good).mode & 0o777).toBe(0o700);

    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o755);
    expect(() => ensurePrivateDir(open)).toThrow(/mode is 755, it must be 700/);

    const link = join(dir, 'link');
    symlinkSync(good, link);
    expect(() => ensurePrivateDir(link)).toThrow(/symbolic link/);

    const other = { isSymbolicLink: () => false, isDirectory: () => true, uid: 4242, mode: 0o40700 };
    expect(privateDirProblem(other, 1000)).toMatch(/owned by uid 4242, not by you \(uid 1000\)/);
  });
});
