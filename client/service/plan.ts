// What `procd service install|uninstall` does, as data: files to write or remove and commands to
// run, in order. Building a plan changes nothing, so --dry-run prints exactly what a real run does.

import { spawnSync } from 'node:child_process';
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { resolvePaths } from '../../shared/paths.js';
import { cliEntryPath, renderLaunchdPlist, renderSystemdUnit } from './render.js';

export type ServicePlatform = 'linux' | 'darwin';
export const SYSTEMD_UNIT = 'procd.service';
export const LAUNCHD_LABEL = 'dev.procd.daemon';

/**
 * Variables the service's daemon must share with the user's shell so both find the same home and
 * socket (the manager does not pass the shell's environment on). Paths are made absolute: the
 * service does not run in the caller's directory.
 */
const PASSED_ENV = ['PROCD_HOME', 'PROCD_SOCKET', 'PROCD_LOG_DIR', 'PROCD_PERL', 'PROCD_SHIM'] as const;
const PATH_VARS = new Set<string>(['PROCD_HOME', 'PROCD_SOCKET', 'PROCD_LOG_DIR']);

export interface ServiceContext {
  /** The platform the service is for: process.platform, or PROCD_SERVICE_PLATFORM (for tests). */
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
  uid: number;
  user: string;
  nodePath: string;
  cliPath: string;
}

export function serviceContext(env: NodeJS.ProcessEnv = process.env): ServiceContext {
  let user = env.USER ?? env.LOGNAME ?? '';
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = '$USER';
    }
  }
  return {
    platform: (env.PROCD_SERVICE_PLATFORM || process.platform) as NodeJS.Platform,
    env,
    home: env.HOME || homedir(),
    uid: typeof process.getuid === 'function' ? process.getuid() : 0,
    user,
    nodePath: process.execPath,
    cliPath: cliEntryPath(),
  };
}

/** Null when supported; otherwise the message to show (exit 1). */
export function unsupportedReason(platform: NodeJS.Platform): string | null {
  if (platform === 'linux' || platform === 'darwin') return null;
  const how = 'start the daemon with `procd daemon start` (any procd command also starts it on demand)';
  if (platform === 'win32') return `installing procd as a service is not supported on Windows yet; ${how}`;
  return `installing procd as a service is supported on Linux (systemd) and macOS (launchd), not on ${platform}; ${how}`;
}

export function serviceFilePath(ctx: ServiceContext): string {
  if (ctx.platform === 'darwin') return join(ctx.home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
  // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
  const xdg = ctx.env.XDG_CONFIG_HOME;
  const config = xdg && isAbsolute(xdg) ? xdg : join(ctx.home, '.config');
  return join(config, 'systemd', 'user', SYSTEMD_UNIT);
}

/** The environment written into the service file, in a stable order. */
export function serviceEnvironment(ctx: ServiceContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED_ENV) {
    const v = ctx.env[name];
    if (v) out[name] = PATH_VARS.has(name) ? resolve(v) : v;
  }
  // launchd agents need not see the TMPDIR the shell sees, and the default socket on macOS lives
  // under TMPDIR: pin the socket the caller's clients will look for.
  if (ctx.platform === 'darwin' && !out.PROCD_SOCKET && !out.PROCD_HOME) out.PROCD_SOCKET = resolvePaths(ctx.env, 'darwin').socket;
  // The service manager's stop/restart (SIGTERM) must not take the jobs down: an upgrade is
  // `systemctl --user restart procd` and the new daemon re-adopts them. `procd daemon stop` stops jobs.
  out.PROCD_SIGTERM = 'keep-jobs';
  return out;
}

/** Where launchd sends the daemon's stdout/stderr: procd's log directory as the daemon resolves it on macOS. */
export function launchdLogDir(ctx: ServiceContext): string {
  if (ctx.env.PROCD_LOG_DIR) return resolve(ctx.env.PROCD_LOG_DIR);
  if (ctx.env.PROCD_HOME) return join(resolve(ctx.env.PROCD_HOME), 'logs');
  return join(ctx.home, 'Library', 'Logs', 'procd');
}

export function renderServiceFile(ctx: ServiceContext): { path: string; content: string } {
  const input = { nodePath: ctx.nodePath, cliPath: ctx.cliPath, env: serviceEnvironment(ctx), logDir: launchdLogDir(ctx) };
  return { path: serviceFilePath(ctx), content: ctx.platform === 'darwin' ? renderLaunchdPlist(input) : renderSystemdUnit(input) };
}

export type Step =
  | { kind: 'mkdir'; path: string }
  | { kind: 'write'; path: string; content: string }
  | { kind: 'remove'; path: string }
  /** waitForExit: after the command, wait until this pid is gone (reaped), so a service manager
   *  that was its parent has seen the exit before it is asked to start the unit again. */
  | { kind: 'run'; argv: string[]; waitForExit?: number };

export interface Plan {
  platform: ServicePlatform;
  steps: Step[];
  notes: string[];
}

/** What is true right now, found out before planning (probing changes nothing). */
export interface Probe {
  /** Pid of a daemon answering on this home's socket, if any. */
  daemonPid: number | null;
  /** macOS: the agent is loaded in launchd (bootstrap would fail, so boot it out first). */
  launchdLoaded: boolean;
}

const systemctl = (...args: string[]) => ['systemctl', '--user', ...args];
const launchctlTarget = (ctx: ServiceContext) => `gui/${ctx.uid}/${LAUNCHD_LABEL}`;

export function installPlan(ctx: ServiceContext, probe: Probe): Plan {
  const file = renderServiceFile(ctx);
  const platform: ServicePlatform = ctx.platform === 'darwin' ? 'darwin' : 'linux';
  const steps: Step[] = [];
  const notes: string[] = [];
  // The service's daemon cannot start while another owns the home (it exits 3). Stopping that one
  // with --keep-jobs is safe: its jobs keep running and the service's daemon re-adopts them.
  const stopRunning: Step[] = probe.daemonPid
    ? [{ kind: 'run', argv: [ctx.nodePath, ctx.cliPath, 'daemon', 'stop', '--keep-jobs'], waitForExit: probe.daemonPid }]
    : [];
  if (probe.daemonPid) {
    notes.push(
      `a procd daemon (pid ${probe.daemonPid}) is running: it is stopped with --keep-jobs so the service's daemon can take over; running jobs keep running and are re-adopted`,
    );
  }
  if (platform === 'linux') {
    steps.push({ kind: 'write', ...file }, { kind: 'run', argv: systemctl('daemon-reload') }, ...stopRunning, {
      kind: 'run',
      argv: systemctl('enable', '--now', SYSTEMD_UNIT),
    });
    notes.push(
      `to keep procd running when you are not logged in (and start it at boot): loginctl enable-linger ${ctx.user}`,
      `daemon output: journalctl --user -u ${SYSTEMD_UNIT}; daemon log: ${resolvePaths(ctx.env, 'linux').logFile}`,
    );
  } else {
    const logDir = launchdLogDir(ctx);
    steps.push({ kind: 'mkdir', path: logDir }, { kind: 'write', ...file }, ...stopRunning);
    if (probe.launchdLoaded) steps.push({ kind: 'run', argv: ['launchctl', 'bootout', launchctlTarget(ctx)] });
    steps.push({ kind: 'run', argv: ['launchctl', 'bootstrap', `gui/${ctx.uid}`, file.path] });
    notes.push(`daemon output: ${join(logDir, 'launchd.log')}`);
  }
  notes.push(`the service runs ${ctx.nodePath}: run \`procd service install\` again after switching Node versions or moving procd`);
  return { platform, steps, notes };
}

export function uninstallPlan(ctx: ServiceContext, probe: Probe, installed: boolean): Plan {
  const path = serviceFilePath(ctx);
  const notes: string[] = [];
  if (ctx.platform === 'darwin') {
    const steps: Step[] = [];
    if (probe.launchdLoaded) steps.push({ kind: 'run', argv: ['launchctl', 'bootout', launchctlTarget(ctx)] });
    if (installed) steps.push({ kind: 'remove', path });
    if (!steps.length) notes.push(`procd is not installed as a service (no ${path})`);
    return { platform: 'darwin', steps, notes };
  }
  if (!installed) return { platform: 'linux', steps: [], notes: [`procd is not installed as a service (no ${path})`] };
  notes.push('stopping the service stops the daemon and, like `procd daemon stop`, its running jobs; run `procd daemon stop --keep-jobs` first to keep them');
  return {
    platform: 'linux',
    steps: [{ kind: 'run', argv: systemctl('disable', '--now', SYSTEMD_UNIT) }, { kind: 'remove', path }, { kind: 'run', argv: systemctl('daemon-reload') }],
    notes,
  };
}

export interface CommandResult {
  argv: string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Set when the command could not run or failed: what went wrong and what to do. */
  problem: string | null;
}

/** Runs one command to completion and explains a failure in words (no user bus, tool missing, ...). */
export function runCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): CommandResult {
  const [cmd = '', ...args] = argv;
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 120_000 });
  const result: CommandResult = { argv, exitCode: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', problem: null };
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    result.problem =
      code === 'ENOENT'
        ? cmd === 'systemctl'
          ? 'systemctl was not found: this system does not seem to run systemd'
          : `${cmd} was not found`
        : `${cmd} could not run: ${r.error.message}`;
  } else if (r.status !== 0) {
    result.problem = noUserBus(result.stderr)
      ? `there is no systemd user session here (${firstLine(result.stderr)})`
      : `\`${argv.join(' ')}\` failed (exit ${r.status ?? r.signal}): ${firstLine(result.stderr) || firstLine(result.stdout) || 'no output'}`;
  }
  return result;
}

export function noUserBus(stderr: string): boolean {
  return /Failed to connect to (user scope )?bus|No medium found|DBUS_SESSION_BUS_ADDRESS|XDG_RUNTIME_DIR/i.test(stderr);
}

/** What to do when systemctl --user cannot reach a user manager. */
export function userBusHelp(ctx: ServiceContext): string {
  return `systemctl --user needs a running user manager: log in through a real session (ssh or the console, not su/sudo), or run \`loginctl enable-linger ${ctx.user}\` so it runs without one, then try again`;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/**
 * Can this install work at all? Asked before anything is written, so a machine without systemd or
 * without a user manager is left untouched. Null when fine, else what is wrong and what to do.
 */
export function preflightProblem(ctx: ServiceContext): string | null {
  if (ctx.platform === 'darwin') {
    const r = runCommand(['launchctl', 'help']);
    return r.exitCode === null ? `${r.problem}; this does not look like macOS` : null;
  }
  // is-system-running exits non-zero for a merely "degraded" manager: only a missing tool or bus counts.
  const r = runCommand(systemctl('is-system-running'));
  if (r.exitCode === null) return `${r.problem}; start the daemon with \`procd daemon start\` instead (any procd command also starts it on demand)`;
  // "offline": systemctl found no user manager to ask (no session, no lingering).
  if (r.stdout.trim() === 'offline' || noUserBus(r.stderr)) {
    const why = firstLine(r.stderr) || 'systemctl --user is-system-running: offline';
    return `there is no systemd user session here (${why}); ${userBusHelp(ctx)}`;
  }
  return null;
}

/** macOS: is the agent loaded? (false when launchctl is missing, e.g. a darwin plan made on Linux in tests) */
export function launchdLoaded(ctx: ServiceContext): boolean {
  if (ctx.platform !== 'darwin') return false;
  const r = spawnSync('launchctl', ['print', launchctlTarget(ctx)], { encoding: 'utf8', timeout: 10_000 });
  return !r.error && r.status === 0;
}

/** The status command's probe: `systemctl --user is-active` or `launchctl print`. */
export function managerStatusCommand(ctx: ServiceContext): string[] {
  return ctx.platform === 'darwin' ? ['launchctl', 'print', launchctlTarget(ctx)] : systemctl('is-active', SYSTEMD_UNIT);
}
