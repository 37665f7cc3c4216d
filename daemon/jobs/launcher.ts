// The launcher: how a job's process comes to exist. It prepares the job directory, starts the
// shim (native or Perl: the two differ only in the command, see daemon/shim-choice.ts) and hands
// back its event channel; it decides nothing about state.

import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSpawnSpec } from '../output/spawn-spec.js';
import { perlShimCommand, startShim, type ShimCommand, type ShimGone, type ShimHandle } from './shim-runner.js';

export interface LaunchRequest {
  jobDir: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  maxOutputBytes: number;
  /** The job's cgroup (created by the caller), which the job joins before exec; null: none. */
  cgroup?: string | null;
}

export interface Launcher {
  /** What runs jobs, for `daemon status` and for messages: e.g. `perl shim (perl /…/procd-shim.pl)`. */
  readonly description: string;
  launch(request: LaunchRequest): Promise<ShimHandle>;
}

/** Runs each job under the shim `command` gives (asked per launch: the daemon's choice is made at start). */
export class ShimLauncher implements Launcher {
  private last: ShimCommand | null = null;

  constructor(private readonly command: () => ShimCommand | Promise<ShimCommand> = perlShimCommand) {}

  get description(): string {
    const c = this.last ?? perlShimCommand();
    return `${c.kind} shim (${[c.file, ...c.args].join(' ')})`;
  }

  async launch(request: LaunchRequest): Promise<ShimHandle> {
    const { jobDir } = request;
    // A directory left by a job whose record was lost must not lend this job its exit file.
    await rename(jobDir, `${jobDir}.stale-${Date.now()}`).catch(() => undefined);
    await mkdir(join(jobDir, 'out'), { recursive: true, mode: 0o700 });
    await writeSpawnSpec(jobDir, {
      argv: request.argv,
      cwd: request.cwd,
      env: request.env,
      maxOutputBytes: request.maxOutputBytes,
      segmentBytes: segmentSizeFor(request.maxOutputBytes),
      cgroup: request.cgroup ?? null,
    });
    this.last = await this.command();
    return startShim(jobDir, join(jobDir, 'shim.log'), this.last);
  }
}

/** The Perl shim, whatever the daemon chose (tests that need exactly it). */
export class PerlShimLauncher extends ShimLauncher {
  constructor() {
    super(perlShimCommand);
  }
}

/** Segment size: a quarter of the cap, between 4 KiB and 64 MiB, so rotation drops at most a quarter. */
export function segmentSizeFor(maxOutputBytes: number): number {
  return Math.max(4096, Math.min(64 << 20, Math.floor(maxOutputBytes / 4)));
}

/** Why a shim ended before it started the job, in words a user can act on. */
export async function shimFailureMessage(jobDir: string, gone: ShimGone, interpreter: string): Promise<string> {
  if (gone.error) {
    const file = gone.file ?? interpreter;
    const native = file.endsWith('/procd-shim');
    const fix = native ? 'rebuild procd (npm run build, with a C compiler), or set PROCD_SHIM=perl' : 'install perl, or set PROCD_PERL to a perl interpreter';
    const hint = gone.error.code === 'ENOENT' ? ` (not found: ${fix})` : '';
    return `the job's shim could not run: ${file}: ${gone.error.message}${hint}`;
  }
  const log = await readFile(join(jobDir, 'shim.log'), 'utf8').catch(() => '');
  const tail = log.trim().split('\n').slice(-3).join(' | ');
  const status = gone.signal ? `was killed by ${gone.signal}` : `exited with status ${gone.code}`;
  return `the job's shim ${status} before starting the job${tail ? `: ${tail}` : ''}`;
}
