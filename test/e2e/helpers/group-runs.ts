// Commands an e2e test runs itself (a CLI under script(1), a shell pipeline), each leading its own
// process group so that killAll() ends all of it — bash, the CLI, its helpers — also on failure.

import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from '../../helpers/wait-for.js';

export interface GroupRun {
  child: ChildProcess;
  stdout: () => string;
  stdoutBytes: () => Buffer;
  stderr: () => string;
  /** The exit code once it has ended (null after a signal), undefined while it runs. */
  code: () => number | null | undefined;
}

export class GroupRuns {
  private readonly runs: GroupRun[] = [];

  start(env: NodeJS.ProcessEnv, cmd: string, args: string[], stdin: 'ignore' | 'pipe' = 'ignore'): GroupRun {
    const child = spawn(cmd, args, { env, detached: true, stdio: [stdin, 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    let code: number | null | undefined;
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (c) => (code = c));
    const run = { child, stdout: () => Buffer.concat(out).toString(), stdoutBytes: () => Buffer.concat(out), stderr: () => err, code: () => code };
    this.runs.push(run);
    return run;
  }

  killAll(): void {
    for (const r of this.runs.splice(0)) {
      try {
        process.kill(-r.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** The exit code once the run has ended, failing after the deadline with what it printed. */
export async function exited(run: GroupRun, what: string, timeoutMs = 30_000): Promise<number | null> {
  await waitFor(() => run.code() !== undefined, { what: `${what} (stdout so far: ${JSON.stringify(run.stdout())}, stderr: ${JSON.stringify(run.stderr())})`, timeoutMs });
  return run.code()!;
}
