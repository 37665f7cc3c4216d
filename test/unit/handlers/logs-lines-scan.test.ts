// What a filtered read says it scanned (issue: MCP logs --errors on 589 KB said "the read stopped
// after 588946 bytes" while its cursor had only reached 49,800): after matching ran out of time,
// `scan.bytes` counts the bytes matched (up to the cursor), not every byte read; `scan.from` says
// where the read began, so a reader can tell output before it was left out.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lineFilter, readLines } from '../../../daemon/handlers/logs-lines.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function jobDir(stdout: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'procd-logs-scan-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'out'));
  writeFileSync(join(dir, 'out', 'stdout.0000000000000000'), stdout);
  writeFileSync(join(dir, 'out', 'stderr.0000000000000000'), '');
  writeFileSync(join(dir, 'out', 'index.0000000000000000'), '');
  return dir;
}

/** A predicate that takes at least `ms` of wall time per line, so a small budget always runs out. */
const slow = (ms: number) => (text: string) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
  return text.startsWith('ERROR');
};

describe('readLines: scan figures', () => {
  const output = `${Array.from({ length: 50 }, (_, i) => `line ${i + 1}`).join('\n')}\nERROR: EADDRINUSE\n`;

  it('after a time cut, scan.bytes is where matching got to (the cursor), not every byte read', async () => {
    const dir = jobDir(output);
    const filter = { ...lineFilter({ errors: true }), matchMs: 5 };
    filter.spec = { ...filter.spec, match: slow(2) };
    const r = await readLines(dir, 'both', { stdout: 0, stderr: 0 }, filter, true);
    expect(r.answer.items).toEqual([]);
    expect(r.answer.scan.limited).toBe(true);
    expect(r.cursor.stdout).toBeGreaterThan(0);
    expect(r.cursor.stdout).toBeLessThan(Buffer.byteLength(output));
    expect(r.answer.scan.bytes).toBe(r.cursor.stdout);
    expect(r.answer.scan.from).toEqual({ stdout: 0, stderr: 0 });
  });

  it('a read from a cursor says where it began; without a cut it scanned every byte after it', async () => {
    const dir = jobDir(output);
    const r = await readLines(dir, 'both', { stdout: 7, stderr: 0 }, lineFilter({ errors: true }), true);
    expect(r.answer.items.map((i) => (i.kind === 'line' ? i.text : '--'))).toEqual(['ERROR: EADDRINUSE']);
    expect(r.answer.scan).toEqual({ bytes: Buffer.byteLength(output) - 7, limited: false, from: { stdout: 7, stderr: 0 } });
  });
});
