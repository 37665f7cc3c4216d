import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../../..');

describe('docs/protocol.md', () => {
  it('matches the method table (run `npm run docs` after changing shared/methods.ts)', async () => {
    const { renderProtocolDoc } = (await import(join(REPO, 'docs/generate-protocol.mjs'))) as { renderProtocolDoc(): Promise<string> };
    expect(readFileSync(join(REPO, 'docs/protocol.md'), 'utf8')).toBe(await renderProtocolDoc());
  });
});
