// The name of this client's parent process (the shell, the agent that ran it), told to the daemon
// in `hello` and recorded with the jobs this client starts as their owner's `parentName`.

import { readFileSync } from 'node:fs';

/**
 * `/proc/PPID/comm` on Linux (one small read). Elsewhere nothing: `ps -o comm= -p PPID` would
 * spawn a process on every CLI call (5–15 ms, a tenth of `procd ls`'s budget) for a label.
 */
export function parentProcessName(ppid: number = process.ppid, platform: NodeJS.Platform = process.platform): string | null {
  try {
    // comm is at most 15 bytes: within the protocol's bound.
    return (platform === 'linux' && ppid > 0 && readFileSync(`/proc/${ppid}/comm`, 'utf8').trim()) || null;
  } catch {
    return null;
  }
}
