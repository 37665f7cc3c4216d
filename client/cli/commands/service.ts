import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { resolvePaths } from '../../../shared/paths.js';
import { connect, ProcdError } from '../../index.js';
import {
  installPlan,
  launchdLoaded,
  managerStatusCommand,
  preflightProblem,
  runCommand,
  serviceContext,
  serviceFilePath,
  uninstallPlan,
  unsupportedReason,
  userBusHelp,
  type CommandResult,
  type Plan,
  type Probe,
  type ServiceContext,
} from '../../service/plan.js';
import { flag, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import type { Output } from '../output.js';

/** service: install procd as a systemd (Linux) or launchd (macOS) user service. Never needs root. */
export const command: CommandDef = {
  async run({ positionals, values, out }) {
    const [sub, ...extra] = positionals;
    if (extra.length) throw new ExitError(EXIT.usage, `unexpected argument: ${extra[0]}`);
    if (sub !== 'install' && sub !== 'uninstall' && sub !== 'status') {
      throw new ExitError(EXIT.usage, sub ? `unknown service action "${sub}"` : 'missing action: install, uninstall or status');
    }
    const ctx = serviceContext();
    const unsupported = unsupportedReason(ctx.platform);
    if (unsupported) throw new ExitError(EXIT.error, unsupported);
    if (sub === 'status') return status(ctx, out);
    const dryRun = flag(values, 'dry-run');
    const probe: Probe = { daemonPid: sub === 'install' ? await runningDaemonPid(ctx) : null, launchdLoaded: launchdLoaded(ctx) };
    const plan = sub === 'install' ? installPlan(ctx, probe) : uninstallPlan(ctx, probe, existsSync(serviceFilePath(ctx)));
    // Find out before changing anything whether systemctl/launchctl can do their part here.
    const problem = plan.steps.some((s) => s.kind === 'run') ? preflightProblem(ctx) : null;
    if (dryRun) {
      if (problem) plan.notes.push(`warning: this would fail here: ${problem}`);
      return printDryRun(plan, sub, out);
    }
    if (problem) {
      const byHand = sub === 'uninstall' ? `\nto remove it by hand: rm ${serviceFilePath(ctx)} (and its link in default.target.wants/ next to it)` : '';
      throw new ExitError(EXIT.error, `${problem}\nnothing was changed${byHand}`);
    }
    return execute(ctx, plan, sub, out);
  },
};

async function runningDaemonPid(ctx: ServiceContext): Promise<number | null> {
  try {
    const c = await connect({ autostart: false, callTimeoutMs: 5000, paths: resolvePaths(ctx.env) });
    c.close();
    return c.daemon.pid;
  } catch (err) {
    if (err instanceof ProcdError && err.data.notRunning) return null;
    // Something answers but we cannot talk to it (e.g. another protocol version): the service's
    // daemon would find the home taken and exit 3; say so rather than guess.
    throw new ExitError(EXIT.error, `could not tell whether a procd daemon is running: ${(err as Error).message}\nstop it (\`procd daemon stop --keep-jobs\`) and try again`);
  }
}

/** The stable --json shape: { platform, action, dryRun, files, directories, remove, commands, notes }. */
function planJson(plan: Plan, action: string, dryRun: boolean) {
  return {
    platform: plan.platform,
    action,
    dryRun,
    files: plan.steps.flatMap((s) => (s.kind === 'write' ? [{ path: s.path, content: s.content }] : [])),
    directories: plan.steps.flatMap((s) => (s.kind === 'mkdir' ? [s.path] : [])),
    remove: plan.steps.flatMap((s) => (s.kind === 'remove' ? [s.path] : [])),
    commands: plan.steps.flatMap((s) => (s.kind === 'run' ? [s.argv] : [])),
    notes: plan.notes,
  };
}

function printDryRun(plan: Plan, action: string, out: Output): number {
  if (out.json) {
    out.printJson(planJson(plan, action, true));
    return EXIT.ok;
  }
  const lines = [`# procd service ${action} --dry-run: nothing is written, nothing is run`];
  for (const s of plan.steps) {
    if (s.kind === 'mkdir') lines.push(`would create directory ${s.path}`);
    else if (s.kind === 'write') lines.push(`would write ${s.path}:`, '-----', s.content.trimEnd(), '-----');
    else if (s.kind === 'remove') lines.push(`would remove ${s.path}`);
    else lines.push(`would run: ${shellQuote(s.argv)}`);
  }
  if (plan.notes.length) lines.push(...plan.notes.map(noteLine));
  out.out(lines.join('\n'));
  return EXIT.ok;
}

async function execute(ctx: ServiceContext, plan: Plan, action: string, out: Output): Promise<number> {
  const ran: CommandResult[] = [];
  const say = (text: string) => void (out.json ? undefined : out.out(text));
  for (const s of plan.steps) {
    if (s.kind === 'mkdir') {
      mkdirSync(s.path, { recursive: true, mode: 0o700 });
      say(`created ${s.path}`);
    } else if (s.kind === 'write') {
      mkdirSync(dirname(s.path), { recursive: true });
      writeFileSync(s.path, s.content, { mode: 0o644 });
      say(`wrote ${s.path}`);
    } else if (s.kind === 'remove') {
      rmSync(s.path, { force: true });
      say(`removed ${s.path}`);
    } else {
      say(`$ ${shellQuote(s.argv)}`);
      const r = runCommand(s.argv);
      ran.push(r);
      const output = `${r.stdout}${r.stderr}`.trimEnd();
      if (output) say(output.replace(/^/gm, '  '));
      if (r.problem) return failed(ctx, plan, action, r, ran, out);
      if (s.waitForExit && !(await gone(s.waitForExit, 10_000))) {
        return failed(ctx, plan, action, { ...r, problem: `procd daemon pid ${s.waitForExit} did not exit within 10 s after \`daemon stop\`` }, ran, out);
      }
    }
  }
  if (out.json) out.printJson({ ...planJson(plan, action, false), ran });
  else {
    if (plan.notes.length) out.out(plan.notes.map(noteLine).join('\n'));
    if (plan.steps.length) out.out(action === 'install' ? 'procd service installed and started' : 'procd service uninstalled');
  }
  return EXIT.ok;
}

function failed(ctx: ServiceContext, plan: Plan, action: string, r: CommandResult, ran: CommandResult[], out: Output): never {
  const rest = plan.steps.slice(plan.steps.findIndex((s) => s.kind === 'run' && s.argv === r.argv));
  const remaining = rest.flatMap((s) => (s.kind === 'run' ? [shellQuote(s.argv)] : s.kind === 'remove' ? [`rm ${shellQuote([s.path])}`] : []));
  const help = [r.problem as string];
  if (r.argv[0] === 'systemctl' && r.problem?.startsWith('there is no systemd user session')) help.push(userBusHelp(ctx));
  else if (r.argv[0] === 'systemctl' && r.exitCode === null) help.push('start the daemon with `procd daemon start` instead');
  const written = plan.steps.find((s) => s.kind === 'write');
  if (action === 'install' && written) help.push(`${written.path} was written; to finish by hand run: ${remaining.join(' && ')}`);
  else if (remaining.length) help.push(`not done: ${remaining.join(' && ')}`);
  if (out.json) out.printJson({ ...planJson(plan, action, false), ran, error: help.join('\n') });
  throw new ExitError(EXIT.error, help.join('\n'));
}

/**
 * True once pid is gone. kill(pid, 0) still succeeds for an unreaped zombie, which is the point:
 * when the service manager is the parent, "reaped" means it has seen the exit and will start the
 * unit again rather than treat the start as a no-op. A parent that never reaps (a container's
 * pid 1 that is not an init) must not block us forever, so a zombie counts as gone at the deadline.
 */
async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
    }
    if (Date.now() > deadline) return isZombie(pid);
    await delay(50);
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

async function status(ctx: ServiceContext, out: Output): Promise<number> {
  const path = serviceFilePath(ctx);
  const installed = existsSync(path);
  const argv = managerStatusCommand(ctx);
  const r = runCommand(argv);
  const output = `${r.stdout}${r.stderr}`.trim();
  let active: boolean;
  let state: string;
  let problem: string | null = null;
  if (ctx.platform === 'darwin') {
    // `launchctl print` exits non-zero when the agent is not loaded.
    active = r.exitCode === 0 && /^\s*state = running/m.test(r.stdout);
    state = r.exitCode === 0 ? (/^\s*state = (\S+)/m.exec(r.stdout)?.[1] ?? 'loaded') : r.exitCode === null ? 'unknown' : 'not loaded';
    if (r.exitCode === null) problem = r.problem;
  } else {
    // is-active prints the state (active, inactive, failed, ...) and exits 0 only for active.
    state = r.stdout.trim().split('\n')[0] || 'unknown';
    active = r.exitCode === 0 && state === 'active';
    if (r.exitCode === null || (!r.stdout.trim() && r.problem)) {
      problem = r.problem?.startsWith('there is no systemd user session') ? `${r.problem}; ${userBusHelp(ctx)}` : r.problem;
    }
  }
  if (out.json) {
    out.printJson({ platform: ctx.platform, path, installed, active, state, command: argv, exitCode: r.exitCode, output, problem });
  } else {
    out.out(`service file: ${path} (${installed ? 'installed' : 'not installed'})`);
    out.out(`${shellQuote(argv)}: ${problem ? 'could not ask' : state}`);
    // launchctl print says a lot; these lines answer "is it running, and if not, why".
    const keyLines = output.split('\n').filter((l) => /^\s*(state|pid|last exit code|path) = /.test(l));
    if (ctx.platform === 'darwin' && r.exitCode === 0 && keyLines.length) out.out(keyLines.map((l) => `  ${l.trim()}`).join('\n'));
  }
  if (problem) {
    // Under --json the answer above already carries the problem: one JSON document, not two.
    if (!out.json) throw new ExitError(EXIT.error, problem);
    out.err(`procd service: ${problem}`);
    return EXIT.error;
  }
  if (!installed || !active) {
    if (!out.json) out.err(installed ? `procd service is installed but not running (${state})` : 'procd is not installed as a service (`procd service install`)');
    return EXIT.error;
  }
  return EXIT.ok;
}

const noteLine = (n: string) => (n.startsWith('warning:') ? n : `note: ${n}`);

function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
