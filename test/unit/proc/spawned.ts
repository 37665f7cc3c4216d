// Test helper: starts real processes tagged with a per-test marker and guarantees they are all
// gone afterwards — direct children, their process groups, escaped pids, and anything still
// carrying the marker.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { findMarked, isAlive, readIdentity, readProcessTable } from '../../../daemon/proc/process-table.js';
import { waitFor } from '../../helpers/wait-for.js';

export const TEST_MARKER = 'PROCD_PROC_TEST';

export class Spawned {
  /** Every process started through this helper (and their descendants) carries TEST_MARKER=<this value>. */
  readonly marker = randomUUID();
  readonly children: ChildProcess[] = [];
  /** Processes that escaped the children (setsid, double fork): pid → start time, so a reused pid is never killed. */
  readonly escaped = new Map<number, number | null>();

  /** Records an escaped process for cleanup. */
  async adopt(pid: number): Promise<void> {
    this.escaped.set(pid, (await readIdentity(pid))?.startTicks ?? null);
  }

  spawn(command: string, args: string[], options: SpawnOptions & { extraEnv?: Record<string, string> } = {}): ChildProcess & { pid: number } {
    const { extraEnv, ...rest } = options;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], ...rest, env: { ...process.env, ...extraEnv, [TEST_MARKER]: this.marker } });
    if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
    child.on('error', () => {});
    this.children.push(child);
    return child as ChildProcess & { pid: number };
  }

  /** Resolves with the first line the child prints on stdout. */
  static firstLine(child: ChildProcess): Promise<string> {
    return new Promise((resolve, reject) => {
      let text = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const nl = text.indexOf('\n');
        if (nl >= 0) resolve(text.slice(0, nl));
      });
      child.once('exit', () => reject(new Error(`exited before printing a line (got ${JSON.stringify(text)})`)));
    });
  }

  /** Kills everything this test started and waits until it is gone (zombies count as gone). */
  async cleanup(): Promise<void> {
    const kill = (pid: number): void => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const pids = new Set<number>();
    for (const [pid, startTicks] of this.escaped) if (startTicks !== null && (await isAlive(pid, startTicks))) pids.add(pid);
    for (const child of this.children) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue; // reaped: the pid may be reused
      pids.add(child.pid);
      kill(-child.pid); // its group, if it leads one
    }
    try {
      for (const pid of await findMarked(await readProcessTable(), [`${TEST_MARKER}=${this.marker}`])) pids.add(pid);
    } catch {
      // the sweep is a second net; the recorded pids are still killed below
    }
    for (const pid of pids) kill(pid);
    await waitFor(async () => (await Promise.all([...pids].map((pid) => isAlive(pid)))).every((alive) => !alive), { what: 'test processes to end', timeoutMs: 10_000 });
    this.children.length = 0;
    this.escaped.clear();
  }
}
