// Test helpers for the shim: start a real shim on a temp job dir, wait for its files with
// deadlines, and kill everything a test started (job groups, shims, helpers) afterwards.
// The contract tests run the Perl shim; shim-native.test.ts runs the same files again with
// PROCD_TEST_SHIM=native, against the binary `npm run build` compiled (dist/shim/procd-shim), and
// shim-served.test.ts with PROCD_TEST_SHIM=perl-served (each shim forked by `procd-shim.pl --serve`).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ServerRecordParser } from '../../../daemon/jobs/fork-server-protocol.js';
import { readExitFile, readClosedFile, readStartedFile, writeSpawnSpec, type SpawnSpec } from '../../../daemon/output/spawn-spec.js';
import { waitFor } from '../../helpers/wait-for.js';

export const SHIM = fileURLToPath(new URL('../../../daemon/shim/procd-shim.pl', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
/** The interpreter the shim runs with: shim-perl-base.test.ts sets it to a perl restricted to perl-base's modules. */
export const SHIM_PERL = process.env.PROCD_TEST_SHIM_PERL || 'perl';
/** The native shim `npm run build` compiled; PROCD_TEST_NATIVE_SHIM tests another build of it (e.g. with sanitizers). */
export const NATIVE_SHIM = process.env.PROCD_TEST_NATIVE_SHIM || fileURLToPath(new URL('../../../dist/shim/procd-shim', import.meta.url));
/**
 * Which shim the contract tests run (read at each call): PROCD_TEST_SHIM=native, perl-served (the
 * Perl shim forked by its own fork server, `procd-shim.pl --serve`, for every `start`), else perl.
 */
export const shimKind = (): 'perl' | 'native' | 'perl-served' => {
  const kind = process.env.PROCD_TEST_SHIM;
  return kind === 'native' || kind === 'perl-served' ? kind : 'perl';
};
/** argv that runs the shim under test on a job dir (or with --check); a served Perl shim runs exec'd here. */
export const shimCommand = (dir: string): string[] => (shimKind() === 'native' ? [NATIVE_SHIM, dir] : [SHIM_PERL, SHIM, dir]);

/**
 * Why the native shim cannot be tested here, or null: only a build without a C compiler is a
 * reason (build-shim.mjs records it in dist/shim/build.json); a compiler that failed is a failure.
 */
export function nativeShimSkipReason(): string | null {
  let build: { built: boolean; reason: string | null };
  try {
    build = JSON.parse(readFileSync(fileURLToPath(new URL('../../../dist/shim/build.json', import.meta.url)), 'utf8'));
  } catch {
    return 'dist/shim/build.json is missing: run `npm run build` first';
  }
  return !build.built && build.reason?.startsWith('no C compiler') ? `the native shim was not built: ${build.reason}` : null;
}

export interface ShimRun {
  dir: string;
  shim: Pick<ChildProcess, 'pid' | 'kill'>;
  /** Event lines received so far. */
  events: string[];
  /** Resolves when the shim process has ended. */
  ended: Promise<number | null>;
}

export class Harness {
  private dirs: string[] = [];
  private pids = new Set<number>();
  private jobDirs: string[] = [];

  tempDir(): string {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'procd-out-')));
    this.dirs.push(dir);
    return dir;
  }

  /** Remembers a pid to SIGKILL (and its group) in cleanup. */
  track(pid: number | undefined): void {
    if (pid) this.pids.add(pid);
  }

  defaults(argv: string[], over: Partial<SpawnSpec> = {}): SpawnSpec {
    return { argv, cwd: tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, maxOutputBytes: 1 << 20, segmentBytes: 1 << 16, ...over };
  }

  /** A fresh job dir holding `spec`; the job it runs is killed (by its group) in cleanup. */
  async jobDir(spec: SpawnSpec): Promise<string> {
    const dir = this.tempDir();
    this.jobDirs.push(dir);
    await writeSpawnSpec(dir, spec);
    return dir;
  }

  /** Writes the spec into a fresh job dir and starts the shim the way the daemon does. */
  async start(spec: SpawnSpec, shimEnv: NodeJS.ProcessEnv = {}): Promise<ShimRun> {
    const dir = await this.jobDir(spec);
    const env = { ...process.env, ...shimEnv };
    delete env.PROCD_JOB_ID;
    if (shimKind() === 'perl-served') return this.startServed(dir, env);
    const log = openSync(join(dir, 'shim.log'), 'a');
    let shim: ChildProcess;
    try {
      const [file, ...args] = shimCommand(dir);
      shim = spawn(file!, args, { detached: true, stdio: ['ignore', 'pipe', log], env });
    } finally {
      closeSync(log);
    }
    this.track(shim.pid);
    const events: string[] = [];
    let partial = '';
    shim.stdout!.setEncoding('utf8');
    shim.stdout!.on('data', (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      events.push(...lines);
    });
    const ended = new Promise<number | null>((resolve) => shim.on('close', (code) => resolve(code)));
    return { dir, shim, events, ended };
  }

  /** The shim forked by a fork server of its own (`procd-shim.pl --serve`), which ends once the shim has. */
  private startServed(dir: string, env: NodeJS.ProcessEnv): Promise<ShimRun> {
    const server = spawn(SHIM_PERL, [SHIM, '--serve'], { detached: true, stdio: ['pipe', 'pipe', 'inherit'], env });
    this.track(server.pid);
    const events: string[] = [];
    let partial = '';
    let onEnd!: (code: number | null) => void;
    const ended = new Promise<number | null>((resolve) => (onEnd = resolve));
    return new Promise((resolve, reject) => {
      const parser = new ServerRecordParser((line) => reject(new Error(`the fork server wrote ${JSON.stringify(line)}`)));
      server.on('error', reject);
      server.stdout.on('data', (bytes: Buffer) => {
        for (const r of parser.feed(bytes)) {
          if (r.type === 'forked') {
            this.track(r.pid);
            const pid = r.pid;
            const kill = (signal?: NodeJS.Signals | number): boolean => {
              process.kill(pid, signal);
              return true;
            };
            resolve({ dir, shim: { pid, kill }, events, ended });
          } else if (r.type === 'fork_failed') reject(new Error(`the fork server could not fork: ${r.code} ${r.message}`));
          else if (r.type === 'channel') {
            const lines = (partial + r.data.toString('utf8')).split('\n');
            partial = lines.pop()!;
            events.push(...lines);
          } else if (r.type === 'gone') {
            onEnd(r.signal === null ? r.code : null);
            server.stdin.end();
          }
        }
      });
      server.stdin.write(`${dir}\n`);
    });
  }

  async cleanup(): Promise<void> {
    for (const dir of this.jobDirs) {
      const started = await readStartedFile(dir).catch(() => null);
      if (started) this.pids.add(started.pid);
    }
    for (const pid of this.pids) {
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    this.pids.clear();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    this.dirs = [];
    this.jobDirs = [];
  }
}

export const waitExit = (dir: string, ms?: number) => waitFor(() => readExitFile(dir), { what: `exit file in ${dir}`, timeoutMs: ms });
export const waitClosed = (dir: string, ms?: number) => waitFor(() => readClosedFile(dir), { what: `closed file in ${dir}`, timeoutMs: ms });
