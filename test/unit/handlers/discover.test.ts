// rpc.discover's file loading (daemon/handlers/discover.ts): the checked-in document is found from
// the sources (as the built daemon finds it from dist/), and a missing or damaged file is a clear
// error with a code, not a crash.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { discover, loadDocument } from '../../../daemon/handlers/discover.js';
import { ErrorCode, ProcdError } from '../../../shared/errors.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('rpc.discover', () => {
  it('serves docs/openrpc.json, read once', async () => {
    const first = await discover();
    expect(first.openrpc).toBe('1.3.2');
    expect(await discover()).toBe(first);
  });

  it('answers InternalError naming where it looked when the file is missing or not an OpenRPC document; the next place is tried first', async () => {
    dir = mkdtempSync(join(tmpdir(), 'procd-discover-'));
    const missing = pathToFileURL(join(dir, 'none.json'));
    const damaged = pathToFileURL(join(dir, 'damaged.json'));
    const other = pathToFileURL(join(dir, 'other.json'));
    const good = pathToFileURL(join(dir, 'good.json'));
    writeFileSync(damaged, '{"openrpc": "1.3.2", "methods": [');
    writeFileSync(other, '{"hello": 1}');
    writeFileSync(good, '{"openrpc": "1.3.2", "info": {"title": "t", "version": "1"}, "methods": []}');
    const err = await loadDocument([missing, damaged, other]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcdError);
    expect((err as ProcdError).code).toBe(ErrorCode.InternalError);
    expect((err as ProcdError).message).toMatch(/OpenRPC document is missing or damaged .*none\.json.*damaged\.json.*other\.json.*npm run docs/);
    expect((await loadDocument([missing, damaged, good])).methods).toEqual([]);
  });
});
