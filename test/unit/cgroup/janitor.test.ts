// The janitor's sweep after job ends: one pass per burst of ends, not one per job.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CgroupJanitor } from '../../../daemon/cgroup/janitor.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('janitor: sweepSoon', () => {
  it('makes one pass for many ends in one turn of the event loop, and that pass removes every ended job’s cgroup', async () => {
    // A plain directory stands in for the instance root: readdir and rmdir are all the sweep does.
    const root = mkdtempSync(join(tmpdir(), 'procd-janitor-'));
    dirs.push(root);
    for (let id = 1; id <= 5; id++) mkdirSync(join(root, `job-${id}-ab`));
    const janitor = new CgroupJanitor(root, () => []);
    const sweep = vi.spyOn(janitor, 'sweep');
    for (let i = 0; i < 5; i++) janitor.sweepSoon();
    expect(sweep).not.toHaveBeenCalled();
    await nextTurn();
    expect(sweep).toHaveBeenCalledTimes(1);
    for (let id = 1; id <= 5; id++) expect(existsSync(join(root, `job-${id}-ab`))).toBe(false);
    // A later end gets a pass of its own.
    mkdirSync(join(root, 'job-6-ab'));
    janitor.sweepSoon();
    await nextTurn();
    expect(sweep).toHaveBeenCalledTimes(2);
    expect(existsSync(join(root, 'job-6-ab'))).toBe(false);
    janitor.stop();
  });
});
