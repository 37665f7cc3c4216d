// Whether the job shim can run here: the native binary answers `--check`, or the Perl
// interpreter starts and the script loads every module it needs (`procd-shim.pl --check`). The
// daemon chooses and checks at start (shim-choice.ts), logs the result and shows it in
// `daemon status`; a failed result is checked again when asked, so a fix shows without a restart.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from './logger.js';
import { perlPath, SHIM_PATH, type ShimCommand } from './jobs/shim-runner.js';
import { chooseShim } from './shim-choice.js';

/** What one shim's check found. */
export interface ShimVerdict {
  ok: boolean;
  kind: 'native' | 'perl';
  /** The perl interpreter as configured (PROCD_PERL, else `perl` from PATH), or the native binary. */
  interpreter: string;
  /** The Perl script; '' for the native shim. */
  script: string;
  /** What the check printed when it passed, e.g. "perl 5.36.0 clock=hires". */
  detail: string | null;
  error: string | null;
  /** What to do about the error. */
  fix: string | null;
}

/** The shim the daemon runs jobs with: its check, why it was chosen, and how to run it. */
export interface ShimCheck extends ShimVerdict {
  /** Why this shim, e.g. "no C compiler at build time (cc: ENOENT); PROCD_SHIM=auto". */
  why: string;
  command: ShimCommand;
}

/** What running `<interpreter> <script> --check` gave. */
export interface CheckOutcome {
  /** The spawn error's code (ENOENT, EACCES, ...) when the interpreter did not start at all. */
  spawnError: string | null;
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

const RESTART = 'then restart the daemon (`procd daemon restart`; running jobs keep running)';

/** The verdict on one check run, with an actionable fix. Pure. */
export function judgeShimCheck(interpreter: string, script: string, o: CheckOutcome): ShimVerdict {
  const base = { kind: 'perl' as const, interpreter, script, detail: null };
  const fail = (error: string, fix: string): ShimVerdict => ({ ...base, ok: false, error, fix });
  const ok = /^ok (.+)$/m.exec(o.stdout);
  if (ok && o.exitCode === 0) return { ...base, ok: true, detail: ok[1]!.trim(), error: null, fix: null };
  if (o.spawnError === 'ENOENT') {
    return fail(`the perl interpreter "${interpreter}" was not found`, `install perl (Debian/Ubuntu: apt-get install perl-base) or set PROCD_PERL to the path of a perl interpreter, ${RESTART}`);
  }
  if (o.spawnError) return fail(`cannot run the perl interpreter "${interpreter}": ${o.spawnError}`, `make "${interpreter}" an executable perl interpreter or set PROCD_PERL to one, ${RESTART}`);
  if (o.timedOut) return fail(`"${interpreter} ${script} --check" did not finish in time`, `check that "${interpreter}" is a working perl (run the command above by hand), ${RESTART}`);
  const stderr = o.stderr.trim().split('\n').slice(0, 3).join(' ');
  const missing = /Can't locate (\S+)\.pm in @INC/.exec(o.stderr);
  if (missing) {
    const module = missing[1]!.replaceAll('/', '::');
    return fail(`the shim needs the perl module ${module}, which "${interpreter}" cannot load`, `install it (Debian/Ubuntu: apt-get install perl) or set PROCD_PERL to a perl that has it, ${RESTART}`);
  }
  if (/Can't open perl script/.test(o.stderr)) return fail(`the shim script ${script} cannot be read: ${stderr}`, 'reinstall procd: the shim ships with it (daemon/shim/procd-shim.pl)');
  const how = o.exitCode === null ? 'was killed' : `exited with code ${o.exitCode}`;
  return fail(`"${interpreter} ${script} --check" ${how}${stderr ? `: ${stderr}` : ' without saying ok'}`, `run that command by hand to see why; set PROCD_PERL to a working perl 5, ${RESTART}`);
}

/** The verdict on the native shim's `--check`. Pure. */
export function judgeNativeCheck(binary: string, o: CheckOutcome): ShimVerdict {
  const base = { kind: 'native' as const, interpreter: binary, script: '', detail: null };
  const fix = `rebuild procd with a C compiler present (npm run build; Debian/Ubuntu: apt-get install gcc) or set PROCD_SHIM=perl, ${RESTART}`;
  const ok = /^ok (.+)$/m.exec(o.stdout);
  if (ok && o.exitCode === 0) return { ...base, ok: true, detail: ok[1]!.trim(), error: null, fix: null };
  if (o.spawnError === 'ENOENT') return { ...base, ok: false, error: `the native shim ${binary} does not exist`, fix };
  if (o.spawnError) return { ...base, ok: false, error: `cannot run the native shim ${binary}: ${o.spawnError}`, fix };
  const how = o.timedOut ? 'did not finish in time' : o.exitCode === null ? 'was killed' : `exited with code ${o.exitCode}`;
  const stderr = o.stderr.trim().split('\n').slice(0, 3).join(' ');
  return { ...base, ok: false, error: `"${binary} --check" ${how}${stderr ? `: ${stderr}` : ' without saying ok'}`, fix };
}

/** Runs a check mode: `file ...args` (10 s at most). */
function runCheck(file: string, args: string[], timeoutMs: number): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 64 << 10 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: string | number }) | null;
      resolve({
        spawnError: e && typeof e.code === 'string' ? e.code : null,
        exitCode: e ? (typeof e.code === 'number' ? e.code : null) : 0,
        timedOut: e?.killed === true,
        stdout,
        stderr,
      });
    });
  });
}

/** Runs the Perl shim's check mode (10 s at most). */
export async function checkShim(interpreter = perlPath(), script = SHIM_PATH, timeoutMs = 10_000): Promise<ShimVerdict> {
  return judgeShimCheck(interpreter, script, await runCheck(interpreter, [script, '--check'], timeoutMs));
}

/** Runs the native shim's check mode (10 s at most). */
export async function checkNativeShim(binary: string, timeoutMs = 10_000): Promise<ShimVerdict> {
  return judgeNativeCheck(binary, await runCheck(binary, ['--check'], timeoutMs));
}

/** The daemon's view of the shim: checked at start, checked again on request while it fails. */
export class ShimHealth {
  last: ShimCheck | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly run: () => Promise<ShimCheck> = () => chooseShim(),
  ) {}

  private inflight: Promise<ShimCheck> | null = null;

  async refresh(): Promise<ShimCheck> {
    const was = this.last;
    this.inflight = this.run();
    const now = await this.inflight.finally(() => (this.inflight = null));
    this.last = now;
    if (now.ok && !was?.ok) this.logger.info({ shim: now }, was ? 'the job shim runs again' : 'job shim checked: it runs');
    if (!now.ok && (was?.ok !== false || was.error !== now.error)) this.logger.error({ shim: now }, `the job shim cannot run, so no job can start: ${now.error}; ${now.fix}`);
    return now;
  }

  /** The last result, or a fresh one when there is none yet or the last one failed. */
  async current(): Promise<ShimCheck> {
    return this.last?.ok ? this.last : this.refresh();
  }

  /**
   * How to run the chosen shim: waits for the start-up choice. A native shim removed since then
   * (a rebuild without a compiler) is chosen again, so auto falls back to Perl instead of every
   * start failing; otherwise no re-check (a launch reports its own failure).
   */
  async command(): Promise<ShimCommand> {
    let check = this.last ?? (await (this.inflight ?? this.refresh()));
    if (check.command.kind === 'native' && !existsSync(check.command.file)) check = await (this.inflight ?? this.refresh());
    return check.command;
  }
}
