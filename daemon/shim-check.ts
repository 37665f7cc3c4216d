// Whether the job shim can run here: its interpreter starts and the script loads every module it
// needs (`procd-shim.pl --check`). The daemon checks at start, logs the result and shows it in
// `daemon status`; a failed result is checked again when asked, so a fix shows without a restart.

import { execFile } from 'node:child_process';
import type { Logger } from './logger.js';
import { perlPath, SHIM_PATH } from './jobs/shim-runner.js';

export interface ShimCheck {
  ok: boolean;
  /** The interpreter as configured (PROCD_PERL, else `perl` from PATH). */
  interpreter: string;
  script: string;
  /** What the check printed when it passed, e.g. "perl 5.36.0 clock=hires". */
  detail: string | null;
  error: string | null;
  /** What to do about the error. */
  fix: string | null;
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
export function judgeShimCheck(interpreter: string, script: string, o: CheckOutcome): ShimCheck {
  const base = { interpreter, script, detail: null };
  const fail = (error: string, fix: string): ShimCheck => ({ ...base, ok: false, error, fix });
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

/** Runs the shim's check mode (10 s at most). */
export function checkShim(interpreter = perlPath(), script = SHIM_PATH, timeoutMs = 10_000): Promise<ShimCheck> {
  return new Promise((resolve) => {
    execFile(interpreter, [script, '--check'], { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 64 << 10 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: string | number }) | null;
      resolve(
        judgeShimCheck(interpreter, script, {
          spawnError: e && typeof e.code === 'string' ? e.code : null,
          exitCode: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          timedOut: e?.killed === true,
          stdout,
          stderr,
        }),
      );
    });
  });
}

/** The daemon's view of the shim: checked at start, checked again on request while it fails. */
export class ShimHealth {
  last: ShimCheck | null = null;

  constructor(
    private readonly logger: Logger,
    private readonly run: () => Promise<ShimCheck> = () => checkShim(),
  ) {}

  async refresh(): Promise<ShimCheck> {
    const was = this.last;
    const now = await this.run();
    this.last = now;
    if (now.ok && !was?.ok) this.logger.info({ shim: now }, was ? 'the job shim runs again' : 'job shim checked: it runs');
    if (!now.ok && (was?.ok !== false || was.error !== now.error)) this.logger.error({ shim: now }, `the job shim cannot run, so no job can start: ${now.error}; ${now.fix}`);
    return now;
  }

  /** The last result, or a fresh one when there is none yet or the last one failed. */
  async current(): Promise<ShimCheck> {
    return this.last?.ok ? this.last : this.refresh();
  }
}
