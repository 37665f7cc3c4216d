// The crash file one daemon leaves for the next, and how thrown values are described.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeError, faults, noteRejection, takeCrashFile, writeCrashFile } from '../../../daemon/faults.js';

const home = mkdtempSync(join(tmpdir(), 'procd-faults-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('crash file', () => {
  it('is read once by the next daemon, then gone', () => {
    writeCrashFile(home, new TypeError('boom'), 1234);
    expect(takeCrashFile(home)).toEqual({ at: 1234, pid: process.pid, message: 'TypeError: boom' });
    expect(existsSync(join(home, 'crash.json'))).toBe(false);
    expect(takeCrashFile(home)).toBeNull();
  });

  it('a damaged one is still reported (and removed), without its details', () => {
    writeFileSync(join(home, 'crash.json'), '{"at":');
    expect(takeCrashFile(home)).toEqual({ at: 0, pid: 0, message: "a previous daemon crashed; its crash.json could not be read" });
    expect(existsSync(join(home, 'crash.json'))).toBe(false);
  });
});

describe('describeError', () => {
  it('describes values that are not Errors, also ones JSON cannot show', () => {
    expect(describeError('text').message).toBe('non-Error value thrown: text');
    expect(describeError({ a: 1 }).message).toBe('non-Error value thrown: {"a":1}');
    expect(describeError(undefined).message).toBe('non-Error value thrown: undefined');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeError(cyclic).message).toBe('non-Error value thrown: [object Object]');
    expect(describeError(10n).message).toBe('non-Error value thrown: 10');
  });

  it('noteRejection counts and keeps the last one', () => {
    noteRejection(new Error('one'), 1);
    noteRejection(new Error('two'), 2);
    expect(faults.unhandledRejections).toBe(2);
    expect(faults.lastRejection).toEqual({ at: 2, message: 'Error: two' });
  });
});
