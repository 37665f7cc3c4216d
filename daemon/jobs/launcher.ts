// The launcher: how a job's process comes to exist. It prepares the job directory, starts the
// shim (native or Perl: the two differ only in the command, see daemon/shim-choice.ts) and hands
// back its event channel; it decides nothing about state. Shims are forked by the fork server
// (fork-server.ts; the native binary, or the Perl shim's own, see fork-server-command.ts), else
// spawned by the daemon itself.

import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT_FILE, SPAWN_SPEC_FILE, writeSpawnSpec } from '../output/spawn-spec.js';
import { ForkServer } from './fork-server.js';
import { forkServerCommand } from './fork-server-command.js';
import { launchClaiming } from './shim-claim.js';
import { listenTo, perlShimCommand, startShim, type ShimCommand, type ShimGone, type ShimHandle, type ShimListeners } from './shim-runner.js';

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
  /** How shims are started: through the fork server (its pid), or by the daemon itself and why. */
  readonly startedBy?: string;
  /** Starts the job's shim; `listeners` hear it from its first event on. */
  launch(request: LaunchRequest, listeners: ShimListeners): Promise<ShimHandle>;
  /** Lets go of what the launcher keeps running (the fork server); started shims run on. */
  close?(): void;
}

export interface ForkServerOptions {
  /** The native shim binary, which is also the native shim's fork server (`--serve`). */
  binary: string;
  logFile: string;
  warn: (message: string) => void;
}

/** Runs each job under the shim `command` gives (asked per launch: the daemon's choice is made at start). */
export class ShimLauncher implements Launcher {
  private last: ShimCommand | null = null;
  /** One server per shim command (a native shim gone since start makes the choice Perl): key `file args`. */
  private readonly servers = new Map<string, Promise<ForkServer | null>>();
  private why = 'no job started yet';
  /** Told when a stale job directory was moved aside (the daemon closes the job's timeline file there). */
  onMovedAside: ((jobDir: string) => void) | null = null;

  constructor(
    private readonly command: () => ShimCommand | Promise<ShimCommand> = perlShimCommand,
    private readonly forkServer: ForkServerOptions | null = null,
  ) {
    if (!forkServer) this.why = 'by the daemon itself: no fork server configured';
  }

  get description(): string {
    const c = this.last ?? perlShimCommand();
    return `${c.kind} shim (${[c.file, ...c.args].join(' ')})`;
  }

  get startedBy(): string {
    return this.why;
  }

  /** Starts the fork server ahead of the first job (its start is then not part of one). */
  async prepare(): Promise<void> {
    await this.server(await this.command());
  }

  close(): void {
    for (const server of this.servers.values()) void server.then((s) => s?.close());
    this.servers.clear();
  }

  /** The live fork server for this command, started on first use (again after it died); null: none can run. */
  private server(command: ShimCommand): Promise<ForkServer | null> {
    const opts = this.forkServer;
    if (!opts) return Promise.resolve(null);
    const key = [command.file, ...command.args].join(' ');
    const known = this.servers.get(key);
    if (known) {
      return known.then((s) => {
        if (s === null || s.alive) return s;
        opts.warn(`the fork server (pid ${s.pid}) had ended; starting a new one`);
        this.servers.delete(key);
        return this.server(command);
      });
    }
    const run = forkServerCommand(command, opts.binary, existsSync);
    if ('none' in run) {
      this.why = `by the daemon itself: ${run.none}`;
      return Promise.resolve(null);
    }
    const started = ForkServer.start(run.file, command, opts.logFile, opts.warn, run.args).then(
      (s) => {
        this.why = `the fork server (pid ${s.pid})`;
        return s;
      },
      (err: Error) => {
        this.why = `by the daemon itself: ${err.message}`;
        opts.warn(`${err.message}; the daemon starts shims itself`);
        return null;
      },
    );
    this.servers.set(key, started);
    return started;
  }

  async launch(request: LaunchRequest, listeners: ShimListeners): Promise<ShimHandle> {
    const { jobDir } = request;
    // A directory left by a job whose record was lost must not lend this job its exit file. Only
    // a directory a shim ran in is one: a queued job's own timeline is there before its launch.
    if (existsSync(join(jobDir, SPAWN_SPEC_FILE)) || existsSync(join(jobDir, EXIT_FILE))) {
      await rename(jobDir, `${jobDir}.stale-${Date.now()}`).catch(() => undefined);
      this.onMovedAside?.(jobDir);
    }
    await mkdir(join(jobDir, 'out'), { recursive: true, mode: 0o700 });
    await writeSpawnSpec(jobDir, {
      argv: request.argv,
      cwd: request.cwd,
      env: request.env,
      maxOutputBytes: request.maxOutputBytes,
      segmentBytes: segmentSizeFor(request.maxOutputBytes),
      cgroup: request.cgroup ?? null,
    });
    const command = (this.last = await this.command());
    const server = await this.server(command);
    // A server that died before saying the pid may still have forked a shim: the shims' claim on
    // the directory (shim-claim.ts) lets only one of it and the daemon's own run the job.
    if (server) {
      try {
        return await launchClaiming(jobDir, command.file, listeners, (own) => server.launch(jobDir, own));
      } catch (err) {
        this.forkServer?.warn(`${(err as Error).message}; this shim is started by the daemon itself`);
      }
    }
    return launchClaiming(jobDir, command.file, listeners, (own) => listenTo(startShim(jobDir, join(jobDir, 'shim.log'), command), own));
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
