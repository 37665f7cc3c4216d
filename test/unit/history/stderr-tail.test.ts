// A run's stderr tail is read once its shim has drained the pipes (the shim may report the exit
// before the last bytes are on disk), and never waits for ever when nothing will come.

import { mkdirSync, mkdtempSync, appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findErrors } from '../../../daemon/history/error-signatures.js';
import { readStderrEnd, readStderrTail } from '../../../daemon/history/stderr-tail.js';

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

  it("finds errors in more than the kept tail: Node's dump of an error names its port seven lines from the end", async () => {
    const dump = [
      'node:events:497',
      '      throw er; // Unhandled \'error\' event',
      'Error: listen EADDRINUSE: address already in use :::3000',
      '    at Server.setupListenHandle [as _listen2] (node:net:1817:16)',
      "Emitted 'error' event on Server instance at:",
      '    at process.processTicksAndRejections (node:internal/process/task_queues:82:21) {',
      "  code: 'EADDRINUSE',",
      '  errno: -98,',
      "  syscall: 'listen',",
      "  address: '::',",
      '  port: 3000',
      '}',
      '',
      'Node.js v20.20.2',
    ];
    writeFileSync(segment(), `${dump.join('\n')}\n`);
    const tail = await readStderrTail(dir, false);
    expect(tail).not.toContain("  code: 'EADDRINUSE',");
    const lines = await readStderrEnd(dir, false);
    const end = { exitCode: 1, signal: null, outcome: 'exit' as const, outcomeDetail: null };
    const signatures = (stderrTail: string[]) => findErrors({ stderrTail, ...end }).map((e) => `${e.signature}:${e.detail}`);
    expect(signatures(tail)).not.toContain('EADDRINUSE:3000');
    expect(signatures(lines)).toContain('EADDRINUSE:3000');
  });
});
