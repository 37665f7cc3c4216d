import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { formatDuration } from '../../../shared/duration.js';
import { resolvePaths } from '../../../shared/paths.js';
import { connect, ProcdError, type DaemonStatus, type ProcdClient } from '../../index.js';
import { RpcConnection } from '../../rpc-connection.js';
import { flag, str, type CommandContext, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { paint } from '../output.js';
import { plural } from '../format-time.js';

/** The exit code of a daemon that found another one owning its home (daemon/main.ts's, kept for `daemon run`). */
const EXIT_ALREADY_RUNNING = 3;

/** daemon: start, stop, restart, inspect, or run the daemon in the foreground. */
export const command: CommandDef = {
  async run(ctx) {
    const [sub, ...extra] = ctx.positionals;
    if (extra.length) throw new ExitError(EXIT.usage, `unexpected argument: ${extra[0]}`);
    // The daemon this command starts (start, restart, run) reads it from its environment.
    const onAlert = str(ctx.values, 'on-alert');
    if (onAlert !== undefined) {
      if (!onAlert.trim()) throw new ExitError(EXIT.usage, '--on-alert needs a command');
      process.env.PROCD_ON_ALERT = onAlert;
    }
    switch (sub) {
      case 'run': {
        await refuseIfRunning();
        // Exit as soon as the daemon has stopped: nothing it leaves behind (a log worker, a
        // lingering socket timer) may keep a service manager waiting.
        return process.exit(await (await import('../../../daemon/main.js')).runDaemon());
      }
      case 'start':
        return start(ctx);
      case 'stop':
        return stop(ctx, flag(ctx.values, 'keep-jobs'));
      case 'restart':
        return restart(ctx);
      case 'status':
        return status(ctx);
      default:
        throw new ExitError(EXIT.usage, sub ? `unknown daemon action "${sub}"` : 'missing action: start, stop, restart, status or run');
    }
  },
};

/** The daemon answering on this home's socket, or null when none does. */
async function running(allowProtocolMismatch: boolean): Promise<ProcdClient | null> {
  try {
    return await connect({ autostart: false, allowProtocolMismatch });
  } catch (err) {
    if (err instanceof ProcdError && err.data.notRunning) return null;
    throw err;
  }
}

/** `daemon run` next to a running daemon would only lose the lock: say which daemon and what to do. */
async function refuseIfRunning(): Promise<void> {
  // Only a daemon that answers is reported here; anything else is the new daemon's to find and say.
  const c = await running(true).catch(() => null);
  if (!c) return;
  const { pid } = c.daemon;
  c.close();
  throw new ExitError(
    EXIT_ALREADY_RUNNING,
    `a procd daemon is already running for this home (pid ${pid}, socket ${resolvePaths().socket}); ` +
      'use it as it is, or stop it first with `procd daemon stop --keep-jobs` (its jobs keep running and this daemon re-adopts them)',
  );
}

async function start({ out, values }: CommandContext): Promise<number> {
  // A daemon of another version is refused here as before (VersionMismatch says to restart it).
  const existing = await running(false);
  const c = existing ?? (await connect({ autostart: true }));
  try {
    const { pid, daemonVersion } = c.daemon;
    if (out.json) out.printJson({ ...c.daemon, alreadyRunning: existing !== null });
    else if (existing) out.out(`procd daemon already running (pid ${pid}, version ${daemonVersion})${process.env.PROCD_ON_ALERT && str(values, 'on-alert') !== undefined ? '; --on-alert applies to a daemon this starts: procd daemon restart --on-alert …' : ''}`);
    else out.out(`procd daemon started: pid ${pid}, version ${daemonVersion}, log ${resolvePaths().logFile}`);
  } finally {
    c.close();
  }
  return EXIT.ok;
}

async function stop({ out }: CommandContext, keepJobs: boolean, quietIfDown = false): Promise<number> {
  const paths = resolvePaths();
  let c;
  try {
    // A daemon of another protocol version must still be stoppable: that is how it is upgraded.
    c = await connect({ autostart: false, allowProtocolMismatch: true });
  } catch (err) {
    if (err instanceof ProcdError && err.data.notRunning) {
      if (!quietIfDown) out.out(out.json ? JSON.stringify({ running: false }) : 'procd daemon is not running');
      return EXIT.ok;
    }
    throw err;
  }
  const pid = c.daemon.pid;
  const r = await c.daemonStop({ keepJobs });
  c.close();
  // Wait until the old daemon has exited — not just closed its socket: it still writes its final
  // snapshot after that, and `restart` must never race it.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && (await processRunning(pid, paths.socket))) await delay(25);
  if (out.json) out.printJson({ stopped: true, pid, jobsStopped: r.jobsStopped, keepJobs });
  else out.out(`procd daemon (pid ${pid}) stopped; ${keepJobs ? 'running jobs were left running' : `${plural(r.jobsStopped, 'running job')} stopped`}`);
  return EXIT.ok;
}

/**
 * Restart keeping jobs. Under a service manager the restart goes through it, so the new daemon is
 * supervised again (its SIGTERM keeps jobs: see systemd/procd.service); otherwise stop --keep-jobs
 * and start: the new daemon re-adopts the running jobs.
 */
async function restart(ctx: CommandContext): Promise<number> {
  let by: 'systemd' | 'launchd' | null = null;
  try {
    const c = await connect({ autostart: false, allowProtocolMismatch: true });
    by = (await c.daemonStatus()).supervisedBy;
    c.close();
  } catch {
    // not running: a plain start below
  }
  if (by) {
    const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
    const argv = by === 'systemd' ? ['systemctl', '--user', 'restart', 'procd.service'] : ['launchctl', 'kickstart', '-k', `gui/${uid}/dev.procd.daemon`];
    const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    if (r.status !== 0) throw new ExitError(EXIT.error, `\`${argv.join(' ')}\` failed${r.error ? `: ${r.error.message}` : ''}`);
    if (!ctx.out.json) ctx.out.out(`restarted through ${by}: ${argv.join(' ')}`);
    return start(ctx);
  }
  await stop(ctx, true, true);
  return start(ctx);
}

async function status({ out }: CommandContext): Promise<number> {
  let c;
  try {
    c = await connect({ autostart: false });
  } catch (err) {
    if (err instanceof ProcdError && err.data.notRunning) {
      if (out.json) out.printJson({ running: false, socket: resolvePaths().socket });
      else out.err(`procd daemon is not running (socket ${resolvePaths().socket})`);
      return EXIT.error;
    }
    throw err;
  }
  try {
    const s = await c.daemonStatus();
    if (out.json) {
      out.printJson({ running: true, ...s });
      return EXIT.ok;
    }
    const counts = Object.entries(s.counts)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    out.out(
      [
        `procd daemon ${paint(out, 'green', 'running')}`,
        `  pid       ${s.pid}`,
        `  version   ${s.version} (protocol ${s.protocolVersion})`,
        `  uptime    ${formatDuration(s.uptimeMs)}`,
        `  socket    ${s.socket}`,
        `  home      ${s.home}`,
        `  log       ${s.logFile}`,
        `  service   ${s.supervisedBy ?? 'none (started by hand or on demand)'}`,
        `  monitor   every ${formatDuration(s.monitor.intervalMs)}, last pass ${s.monitor.lastTickMs} ms`,
        `  events    ${plural(s.events.subscribers, 'subscriber')}, ${s.events.droppedSubscribers} dropped, last #${s.events.seq}; ${plural(s.connections, 'client connection')}`,
        `  jobs      ${counts || 'none'}`,
        ...shimLines(out, s.shim),
        ...(s.containment ? [`  contain   ${s.containment.kind === 'cgroup' ? `cgroup per job (${s.containment.root})` : 'process groups + markers'}`, `            why: ${s.containment.why}`] : []),
        ...faultLines(out, s.faults),
        ...s.warnings.map((w) => `  ${paint(out, 'yellow', 'warning')}   ${w}`),
      ].join('\n'),
    );
    return EXIT.ok;
  } finally {
    c.close();
  }
}

/** The shim line of `daemon status`: what runs jobs, or why nothing can (and what to do). */
function shimLines(out: CommandContext['out'], shim: DaemonStatus['shim'] | undefined): string[] {
  if (!shim) return []; // a daemon older than this field
  const what = shim.script ? `${shim.interpreter} ${shim.script}` : shim.interpreter;
  const why = [...(shim.why ? [`            why: ${shim.why}`] : []), ...(shim.startedBy ? [`            started by: ${shim.startedBy}`] : [])];
  if (shim.ok) return [`  shim      ${shim.detail ?? 'ok'} (${what})`, ...why];
  return [`  shim      ${paint(out, 'red', 'cannot run')}: ${shim.error} (${what})`, `            fix: ${shim.fix}`, ...why];
}

/** Errors nothing caught (shown only when there were some). */
function faultLines(out: CommandContext['out'], faults: DaemonStatus['faults'] | undefined): string[] {
  if (!faults) return [];
  const at = (ms: number) => new Date(ms).toISOString();
  const lines: string[] = [];
  if (faults.previousCrash) {
    const c = faults.previousCrash;
    lines.push(`  ${paint(out, 'red', 'crash')}     the previous daemon (pid ${c.pid}) ended on an uncaught exception at ${at(c.at)}: ${c.message}; its jobs were re-adopted (stack in the daemon log)`);
  }
  if (faults.lastRejection) {
    lines.push(`  ${paint(out, 'yellow', 'faults')}    ${faults.unhandledRejections} unhandled rejection(s), last at ${at(faults.lastRejection.at)}: ${faults.lastRejection.message} (stack in the daemon log)`);
  }
  return lines;
}

/** Whether the daemon process still runs: /proc where there is one (a zombie counts as gone), else signal 0 and the socket. */
async function processRunning(pid: number, socket: string): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && existsSync('/proc/self/stat')) return false;
  }
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    (await RpcConnection.open(socket, 500)).close();
    return true;
  } catch {
    return false;
  }
}
