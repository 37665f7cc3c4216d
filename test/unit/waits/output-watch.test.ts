// output= for a wait: lines from the run's start, or (newOutput) only those written after the wait
// began; a new run (a restart, a new directory) is read from its beginning; a line is matched once whole.

import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOutputWatch, outputEnds } from '../../../daemon/waits/output-watch.js';
import { makeJob } from '../../helpers/job-factory.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A run directory whose stdout segment starts at offset 0, as the shim writes it. */
function runDir(): { dir: string; write: (text: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'procd-ow-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'out'));
  const file = join(dir, 'out', `stdout.${'0'.repeat(16)}`);
  return { dir, write: (text) => appendFileSync(file, text) };
}

const condition = { kind: 'output', pattern: '^ready$', flags: '' } as const;

describe('the output watch of a wait', () => {
  it('matches a line written before the wait (from the run start), only once it is whole', async () => {
    const run = runDir();
    run.write('booting\nrea');
    const watch = createOutputWatch(condition, { dir: run.dir, from: { stdout: 0, stderr: 0 } });
    const job = makeJob({ dir: run.dir });
    expect((await watch.check(job)).ok).toBe(false);
    run.write('dy\n');
    expect(await watch.check(job)).toEqual({ ok: true, detail: 'ready' });
  });

  it('with newOutput, a line written before the wait does not count; one written after does', async () => {
    const run = runDir();
    run.write('ready\n');
    const watch = createOutputWatch(condition, { dir: run.dir, from: await outputEnds(run.dir) });
    const job = makeJob({ dir: run.dir });
    expect((await watch.check(job)).ok).toBe(false);
    run.write('ready\n');
    expect((await watch.check(job)).ok).toBe(true);
  });

  it('a new run is read from its beginning', async () => {
    const first = runDir();
    first.write('x'.repeat(100) + '\n');
    const watch = createOutputWatch(condition, { dir: first.dir, from: await outputEnds(first.dir) });
    expect((await watch.check(makeJob({ dir: first.dir }))).ok).toBe(false);
    const second = runDir();
    second.write('ready\n');
    expect((await watch.check(makeJob({ dir: second.dir }))).ok).toBe(true);
  });
});
