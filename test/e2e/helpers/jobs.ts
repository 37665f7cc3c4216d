// Typed calls to a test daemon through the compiled CLI, for the e2e tests: track a job, read
// its status, list jobs, wait for its end, read the daemon's status. Each fails with the CLI's
// exit code, stdout and stderr when the answer is not what a test can go on with, instead of
// handing a test an `{ error }` object typed as a Job.

import { isTerminal, type JobFlag, type JobSummary, type JobView } from '../../../shared/job.js';
import type { DaemonStatus, JobStatus } from '../../../shared/methods.js';
import { waitFor } from '../../helpers/wait-for.js';
import type { CliResult, TestDaemon } from './daemon.js';

/** The JSON a CLI call printed. The type is the caller's word: the CLI's output is not checked against it. */
export function parseJson<T>(r: CliResult, call: string): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`procd ${call}: no JSON on stdout (exit ${r.code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

/** Fails with the whole result unless the call exited with `code`. */
export function expectExit(r: CliResult, code: number, call: string): void {
  if (r.code !== code) throw new Error(`procd ${call}: exit ${r.code}, expected ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
}

/**
 * `procd track --json ARGS`: the job as the daemon answered. Fails when the CLI wrote anything to
 * stderr, or exited other than `code` when given (a job that fails to start exits non-zero).
 */
export async function trackJob(d: TestDaemon, args: string[], opts: { code?: number } = {}): Promise<JobView> {
  const call = `track --json ${args.join(' ')}`;
  const r = await d.cli(['track', '--json', ...args]);
  if (r.stderr !== '') throw new Error(`procd ${call}: wrote to stderr (exit ${r.code}): ${r.stderr}`);
  if (opts.code !== undefined) expectExit(r, opts.code, call);
  return parseJson<JobView>(r, call);
}

/** `procd status ID --json [--tree]`; the job must exist. */
export async function jobStatus(d: TestDaemon, id: number | string, opts: { tree?: boolean } = {}): Promise<JobStatus> {
  const args = ['status', String(id), '--json', ...(opts.tree ? ['--tree'] : [])];
  const r = await d.cli(args);
  expectExit(r, 0, args.join(' '));
  return parseJson<JobStatus>(r, args.join(' '));
}

/** `procd ls --json ARGS`. */
export async function listJobs(d: TestDaemon, args: string[] = []): Promise<JobSummary[]> {
  const r = await d.cli(['ls', '--json', ...args]);
  expectExit(r, 0, `ls --json ${args.join(' ')}`);
  return parseJson<JobSummary[]>(r, 'ls');
}

/** Polls `procd status` until the job is in a terminal state; returns it then. */
export async function waitForEnd(d: TestDaemon, id: number, opts: { timeoutMs?: number } = {}): Promise<JobStatus> {
  return waitFor(
    async () => {
      const job = await jobStatus(d, id);
      return isTerminal(job.state) ? job : null;
    },
    { what: `job ${id} to end`, ...opts },
  );
}

/** `procd logs ID ARGS`: what the job wrote, as text. */
export async function jobLogs(d: TestDaemon, id: number | string, args: string[] = []): Promise<string> {
  return (await d.cli(['logs', String(id), ...args])).stdout;
}

/** `procd daemon status --json` of a daemon that runs. */
export async function daemonStatus(d: TestDaemon): Promise<DaemonStatus> {
  const r = await d.cli(['daemon', 'status', '--json']);
  expectExit(r, 0, 'daemon status --json');
  return parseJson<DaemonStatus>(r, 'daemon status --json');
}

/** The main pid of a job that was running when read; fails for any other state (never -1: that would signal every process). */
export function pidOf(job: JobSummary): number {
  if (job.state.kind !== 'running') throw new Error(`job ${job.id} is ${job.state.kind}, not running: it has no live pid`);
  return job.state.pid;
}

/** The job's current flag of this kind, if raised. */
export function flagOf(job: JobSummary, kind: JobFlag['kind']): JobFlag | undefined {
  return job.flags.find((f) => f.kind === kind);
}

/** Polls `procd status` until the job carries a flag of `kind` for which `ok` holds; returns both. */
export async function waitForFlag(
  d: TestDaemon,
  id: number,
  kind: JobFlag['kind'],
  opts: { ok?: (flag: JobFlag) => boolean; timeoutMs?: number; everyMs?: number } = {},
): Promise<{ job: JobStatus; flag: JobFlag }> {
  const { ok = () => true, ...wait } = opts;
  return waitFor(
    async () => {
      const job = await jobStatus(d, id);
      const flag = flagOf(job, kind);
      return flag && ok(flag) ? { job, flag } : null;
    },
    { what: `job ${id} to be flagged ${kind}`, ...wait },
  );
}
