// The instance lock as both sides see it: the daemon that takes it and the client that looks
// (instanceLockHeld) before autostarting another daemon.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireInstanceLock, AlreadyRunning, type InstanceLock } from '../../../daemon/lifecycle/instance-lock.js';
import { instanceLockHeld } from '../../../shared/instance-lock-address.js';

const homes: string[] = [];
const locks: InstanceLock[] = [];
afterEach(() => {
  for (const l of locks.splice(0)) l.release();
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});

function home(): string {
  const h = mkdtempSync(join(tmpdir(), 'procd-lock-'));
  homes.push(h);
  return h;
}

describe('instance lock', () => {
  it('is seen as held exactly while a daemon holds it, and only for its own home', async () => {
    const h = home();
    const other = home();
    expect(await instanceLockHeld(h)).toBe(false);
    const lock = await acquireInstanceLock(h);
    locks.push(lock);
    expect(await instanceLockHeld(h)).toBe(true);
    expect(await instanceLockHeld(other)).toBe(false);
    await expect(acquireInstanceLock(h)).rejects.toBeInstanceOf(AlreadyRunning);
    locks.pop()?.release();
    // the abstract socket is closed asynchronously: released means the next daemon can take it
    const again = await acquireInstanceLock(h);
    locks.push(again);
    expect(await instanceLockHeld(h)).toBe(true);
  });
});
