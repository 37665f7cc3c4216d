// cgroup.freeze as the pauser uses it, against a plain directory standing in for a cgroup (the
// kernel's side is the e2e test's): the request is written, then cgroup.events is read until it
// reports the state asked for, and a freeze the kernel never reports gives up after the bound.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hasFreezer, parseFrozen, setFrozen } from '../../../daemon/cgroup/job-cgroup.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function fakeCgroup(events: string): string {
  dir = mkdtempSync(join(tmpdir(), 'procd-freeze-'));
  writeFileSync(join(dir, 'cgroup.freeze'), '0\n');
  writeFileSync(join(dir, 'cgroup.events'), events);
  return dir;
}

describe('cgroup freezer', () => {
  it('reads the frozen line of cgroup.events', () => {
    expect(parseFrozen('populated 1\nfrozen 1\n')).toBe(true);
    expect(parseFrozen('populated 1\nfrozen 0\n')).toBe(false);
    expect(parseFrozen('populated 1\n')).toBeNull();
  });

  it('writes the request and answers once cgroup.events reports it', async () => {
    const cg = fakeCgroup('populated 1\nfrozen 0\n');
    expect(await hasFreezer(cg)).toBe(true);
    const frozen = setFrozen(cg, true, 20_000, 5);
    // The "kernel" completes the freeze a little later.
    setImmediate(() => writeFileSync(join(cg, 'cgroup.events'), 'populated 1\nfrozen 1\n'));
    expect(await frozen).toBe(true);
    expect(readFileSync(join(cg, 'cgroup.freeze'), 'utf8')).toBe('1');
    expect(await setFrozen(cg, true, 0)).toBe(true); // already there: no wait
  });

  it('gives up after the bound when the freeze is never reported (a task in uninterruptible sleep)', async () => {
    const cg = fakeCgroup('populated 1\nfrozen 0\n');
    expect(await setFrozen(cg, true, 50, 5)).toBe(false);
  });

  it('a directory without cgroup.freeze has no freezer', async () => {
    dir = mkdtempSync(join(tmpdir(), 'procd-freeze-'));
    expect(await hasFreezer(dir)).toBe(false);
    await expect(setFrozen(join(dir, 'gone'), true, 10)).rejects.toThrow(/ENOENT/);
  });
});
