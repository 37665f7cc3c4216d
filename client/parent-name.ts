// The name of this client's parent process (the shell, the agent that ran it), told to the daemon
// in `hello` and recorded with the jobs this client starts as their owner's `parentName`.

import { readFileSync } from 'node:fs';

/**
 * `/proc/PPID/comm` on Linux (one small read). Elsewhere nothing: `ps -o comm= -p PPID` would
 * spawn a process on every CLI call (5–15 ms, a tenth of `procd ls`'s budget) for a label.
 */
export function parentProcessName(ppid: number = process.ppid, platform: NodeJS.Platform = process.platform): string | null {
  if (platform !== 'linux' || ppid <= 0) return null;
  try {
    const name = readFileSync(`/proc/${ppid}/comm`, 'utf8').trim();
    return name === '' ? null : name.slice(0, 256);
  } catch {
    return null;
  }
}
