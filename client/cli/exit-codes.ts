// The CLI's exit codes (documented in the README). Commands that wait for a job exit with the
// job's own code instead; these are the ones procd itself uses.

import { isTerminal, type Job } from '../../shared/job.js';
import { parseSignal } from '../../shared/signals.js';
import { unreachable } from '../../shared/unreachable.js';

export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  /** `procd wait --timeout` ran out before the jobs ended (the same code as timeout(1)). */
  waitTimedOut: 124,
  /** `procd wait --for` / `track --wait-for`: a job ended before the condition held (its own exit code is in --json). */
  waitEndedFirst: 125,
  /** The job's command could not be executed (exists but not executable). */
  cannotExecute: 126,
  /** The job's command was not found. */
  notFound: 127,
  /** Whoever read our output went away (a closed pipe): a death by SIGPIPE, as `yes | head` gives. */
  readerGone: 128 + 13,
} as const;

/** An expected way to end the CLI with a code and a message: not a bug, so no stack trace. */
export class ExitError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    /** What a program reading `--json` may want: the option at fault, a suggestion. */
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The exit code a shell would have given for this job (null while it is still running). */
export function jobExitCode(job: Pick<Job, 'state'>): number | null {
  const s = job.state;
  if (!isTerminal(s)) return null;
  switch (s.kind) {
    case 'completed':
      return 0;
    case 'failed':
      // 126/127 are about the command, as in a shell; a bad cwd is an ordinary error.
      if (s.spawnError) {
        if (s.spawnError.step === 'chdir') return EXIT.error;
        // A directory as the command is 126 too, as in a shell.
        if (s.spawnError.code === 'EACCES' || s.spawnError.code === 'EISDIR') return EXIT.cannotExecute;
        return s.spawnError.code === 'ENOENT' ? EXIT.notFound : EXIT.error;
      }
      return s.exitCode ?? EXIT.error;
    case 'lost':
      return s.exitCode ?? EXIT.error;
    case 'killed':
    case 'timed_out':
      // A job cancelled before it ever ran has no process and no signal: an ordinary error.
      if (s.outcome === 'cancelled') return EXIT.error;
      // 128+N for a signal death, else whatever the job exited with.
      // (An adopted process stopped by procd has no known status: the stop signal it was sent.)
      return s.exitCode === null || s.exitCode === 0 ? 128 + (s.signal?.number ?? (s.kill ? parseSignal(s.kill.signal)?.number : undefined) ?? 15) : s.exitCode;
    default:
      return unreachable(s, 'job state');
  }
}
