import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { readStream, streamInfo } from '../../../daemon/output/segments.js';
import { FIXTURES, Harness, shimKind, waitClosed, waitExit } from './shim-harness.js';

const h = new Harness();
afterEach(() => h.cleanup());

it('captures 200 MB from one child byte-exactly', { timeout: 120_000 }, async () => {
  const total = 200_000_000;
  const hashFile = join(h.tempDir(), 'sha256');
  const t0 = Date.now();
  const run = await h.start(
    h.defaults(['node', join(FIXTURES, 'out-write-bytes.mjs'), String(total), String(1 << 20), 'random', hashFile], {
      maxOutputBytes: 256 << 20,
      segmentBytes: 64 << 20,
    }),
  );
  expect(await waitExit(run.dir, 100_000)).toMatchObject({ exitCode: 0 });
  await waitClosed(run.dir, 100_000);
  const ms = Date.now() - t0;
  console.log(`200 MB through the ${shimKind()} shim: ${ms} ms, ${(total / 1e6 / (ms / 1000)).toFixed(0)} MB/s (child generating random bytes included)`);

  expect(await streamInfo(run.dir, 'stdout')).toMatchObject({ start: 0, end: total });
  const hash = createHash('sha256');
  let pos = 0;
  for (;;) {
    const r = await readStream(run.dir, 'stdout', pos, 8 << 20);
    if (r.data.length === 0) break;
    hash.update(r.data);
    pos = r.next;
  }
  expect(pos).toBe(total);
  expect(hash.digest('hex')).toBe(readFileSync(hashFile, 'utf8'));
});
