// The parent process name a client reports in hello (a job's owner's `parentName`).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parentProcessName } from '../../../client/parent-name.js';

describe('parentProcessName', () => {
  it.runIf(process.platform === 'linux')('reads /proc/PID/comm on Linux', () => {
    expect(parentProcessName(process.pid, 'linux')).toBe(readFileSync('/proc/self/comm', 'utf8').trim());
    expect(parentProcessName(process.ppid)).toBe(readFileSync(`/proc/${process.ppid}/comm`, 'utf8').trim());
  });

  it('is null for a process that does not exist, and on other systems (no ps spawned on every call)', () => {
    expect(parentProcessName(2 ** 31 - 1, 'linux')).toBeNull();
    expect(parentProcessName(process.ppid, 'darwin')).toBeNull();
    expect(parentProcessName(0, 'linux')).toBeNull();
  });
});
