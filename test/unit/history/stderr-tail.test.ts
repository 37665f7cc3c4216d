// A run's stderr tail is read once its shim has drained the pipes (the shim may report the exit
// before the last bytes are on disk), and never waits for ever when nothing will come.

import { mkdirSync, mkdtempSync, appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readStderrTail } from '../../../daemon/history/stderr-tail.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'procd-tail-'));
  mkdirSync(join(dir, 'out'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const segment = () => join(dir, 'out', `stderr.${'0'.repeat(16)}`);

describe('readStderrTail', () => {
  it('waits for the closed file, so bytes the shim writes after the exit are in the tail', async () => {
    writeFileSync(segment(), 'first\n');
    const tail = readStderrTail(dir, true);
    setTimeout(() => {
      appendFileSync(segment(), 'Error: the last line\n');
      writeFileSync(join(dir, 'closed'), '{"at":1}\n');
    }, 150);
    expect(await tail).toEqual(['first', 'Error: the last line']);
  });

  it('reads a run without a shim (no closed file will come), and gives [] when there is no output at all', async () => {
    writeFileSync(segment(), 'only\n');
    expect(await readStderrTail(dir, false)).toEqual(['only']);
    expect(await readStderrTail(join(dir, 'nothing-here'), false)).toEqual([]);
  });

  it('reads only the end of a large stream', async () => {
    writeFileSync(segment(), `${'x'.repeat(10 << 20)}\nnear the end\nthe end\n`);
    writeFileSync(join(dir, 'closed'), '{"at":1}\n');
    expect(await readStderrTail(dir, true)).toEqual(['near the end', 'the end']);
  });
});
