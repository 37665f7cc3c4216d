// `exec=COMMAND`: /bin/sh -c COMMAND in the job's cwd with the job's environment; exit 0 is
// healthy. The only checker that spawns a process, since running one is its point.
//
// The command runs in a process group of its own (detached), so a timeout or close() can kill
// everything it started (`a & b`), not only the shell; stdin is /dev/null so it can never wait on
// the daemon's input; its output is kept only as the last OUTPUT_TAIL bytes, for the detail.

import { spawn, type ChildProcess } from 'node:child_process';
import type { ProbeCondition } from '../../../shared/conditions.js';
import type { CheckResult, ProbeCheck, ProbeTarget } from '../check.js';
import { bounded, clip, errorCode, timedOut } from './common.js';

type ExecCondition = Extract<ProbeCondition, { kind: 'exec' }>;

/** Bytes of the command's output (stdout and stderr together) kept for the detail. */
export const OUTPUT_TAIL = 1024;

/** Appends chunk to tail, keeping only the last `limit` bytes. */
export function keepTail(tail: Buffer, chunk: Buffer, limit = OUTPUT_TAIL): Buffer {
  if (chunk.length >= limit) return Buffer.from(chunk.subarray(chunk.length - limit));
  const joined = Buffer.concat([tail, chunk]);
  return joined.length > limit ? joined.subarray(joined.length - limit) : joined;
}

/** The detail for a command that ended: "exit 0", "exit 1: <last line of output>", "killed by SIGTERM". */
export function exitDetail(code: number | null, signal: NodeJS.Signals | null, output: Buffer): CheckResult {
  const lines = output.toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const last = lines[lines.length - 1];
  const head = code !== null ? `exit ${code}` : `killed by ${signal ?? 'a signal'}`;
  return { ok: code === 0, detail: clip(code === 0 || !last ? head : `${head}: ${last}`) };
}

export function createExecCheck(condition: ExecCondition, target: ProbeTarget): ProbeCheck {
  const running = new Set<ChildProcess>();

  /** SIGKILL to the command's whole group; gone already is fine. */
  const killGroup = (child: ChildProcess): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group has no process left
    }
  };

  return {
    run(timeoutMs: number): Promise<CheckResult> {
      let child: ChildProcess;
      try {
        child = spawn('/bin/sh', ['-c', condition.command], {
          cwd: target.cwd,
          env: { ...target.env },
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (err) {
        return Promise.resolve({ ok: false, detail: clip(`cannot run the command: ${errorCode(err)}`) });
      }
      running.add(child);
      let output: Buffer = Buffer.alloc(0);
      const collect = (chunk: Buffer): void => {
        output = keepTail(output, chunk);
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      const ended = new Promise<CheckResult>((resolve) => {
        child.once('error', (err) => resolve({ ok: false, detail: clip(`cannot run /bin/sh in ${target.cwd}: ${errorCode(err)}`) }));
        child.once('exit', (code, signal) => {
          // Whatever the shell left running in its group (`server &`) is a leak of the probe, not
          // part of the job: kill it. A group keeps its id while any member lives, and were it empty
          // the shell's pid, reaped just now, would need the pid space to wrap to be reused.
          // The output may still be on its way: give the pipes a moment.
          killGroup(child);
          let settled = false;
          const settle = (): void => {
            if (settled) return;
            settled = true;
            clearTimeout(wait);
            resolve(exitDetail(code, signal, output));
          };
          const wait = setTimeout(settle, 100);
          child.once('close', settle);
        });
      });
      return bounded(ended, timeoutMs, () => {
        killGroup(child);
        return timedOut(timeoutMs);
      }).finally(() => {
        running.delete(child);
        child.stdout?.destroy();
        child.stderr?.destroy();
      });
    },
    close(): void {
      for (const child of running) killGroup(child);
      running.clear();
    },
  };
}
