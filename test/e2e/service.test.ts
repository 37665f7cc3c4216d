// `procd service`: the compiled CLI, a temporary HOME, and — for the parts that would touch the
// real service manager — a fake systemctl on PATH, so these tests never install anything for
// the user running them.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePlist } from '../unit/service/plist.js';
import { CLI, pidAlive, startTestDaemon, type CliResult, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, listJobs, trackJob } from './helpers/jobs.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file and directory under dir, relative to it. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

/** A clean environment: a temporary HOME and PROCD_HOME, nothing inherited that changes locations. */
function isolatedEnv(extra: NodeJS.ProcessEnv = {}): { home: string; procdHome: string; env: NodeJS.ProcessEnv } {
  const home = tempDir('procd-svc-home-');
  const procdHome = tempDir('procd-svc-ph-');
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, PROCD_HOME: procdHome, ...extra };
  for (const k of ['XDG_CONFIG_HOME', 'PROCD_SOCKET', 'PROCD_LOG_DIR', 'PROCD_JOB_ID']) delete env[k];
  return { home, procdHome, env };
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('close', (code) => {
      const stdoutBytes = Buffer.concat(out);
      done({ code, stdout: stdoutBytes.toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), stdoutBytes });
    });
  });
}

interface PlanJson {
  platform: string;
  action: string;
  dryRun: boolean;
  files: { path: string; content: string }[];
  directories: string[];
  remove: string[];
  commands: string[][];
  notes: string[];
}

const NO_STACK = /\n\s+at .+:\d+:\d+/;

describe('procd service install --dry-run', () => {
  it('linux --json: the unit for this HOME, with this node and CLI, and nothing written', async () => {
    const { home, procdHome, env } = isolatedEnv({ PROCD_SERVICE_PLATFORM: 'linux' });
    const r = await run(['service', 'install', '--dry-run', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as PlanJson;
    expect(plan).toMatchObject({ platform: 'linux', action: 'install', dryRun: true, remove: [] });
    expect(plan.files).toHaveLength(1);
    const [file] = plan.files as [{ path: string; content: string }];
    expect(file.path).toBe(join(home, '.config/systemd/user/procd.service'));
    expect(file.content).toContain(`\nExecStart=${process.execPath} ${CLI} daemon run\n`);
    expect(file.content).toContain(`\nEnvironment="PROCD_HOME=${procdHome}"\n`);
    expect(file.content).toMatch(/^KillMode=process$/m);
    expect(file.content).not.toMatch(/@[A-Z_]+@/);
    expect(plan.commands).toEqual([
      ['systemctl', '--user', 'daemon-reload'],
      ['systemctl', '--user', 'enable', '--now', 'procd.service'],
    ]);
    expect(plan.notes.join('\n')).toContain('loginctl enable-linger');
    expect(tree(home)).toEqual([]);
    expect(tree(procdHome)).toEqual([]);
  });

  it('linux, human output: the whole file and every command', async () => {
    const { home, env } = isolatedEnv({ PROCD_SERVICE_PLATFORM: 'linux' });
    const r = await run(['service', 'install', '-n'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`would write ${join(home, '.config/systemd/user/procd.service')}:`);
    expect(r.stdout).toContain(`ExecStart=${process.execPath} ${CLI} daemon run`);
    expect(r.stdout).toContain('[Install]\nWantedBy=default.target\n');
    expect(r.stdout).toContain('would run: systemctl --user daemon-reload\nwould run: systemctl --user enable --now procd.service\n');
    expect(tree(home)).toEqual([]);
  });

  it('respects an absolute XDG_CONFIG_HOME', async () => {
    const { home, env } = isolatedEnv({ PROCD_SERVICE_PLATFORM: 'linux' });
    env.XDG_CONFIG_HOME = join(home, 'cfg');
    const plan = JSON.parse((await run(['service', 'install', '--dry-run', '--json'], env)).stdout) as PlanJson;
    expect(plan.files[0]?.path).toBe(join(home, 'cfg/systemd/user/procd.service'));
  });

  it('darwin --json (PROCD_SERVICE_PLATFORM, for tests): a LaunchAgent plist with the required keys', async () => {
    const { home, procdHome, env } = isolatedEnv({ PROCD_SERVICE_PLATFORM: 'darwin' });
    const r = await run(['service', 'install', '--dry-run', '--json'], env);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout) as PlanJson;
    const plistPath = join(home, 'Library/LaunchAgents/dev.procd.daemon.plist');
    expect(plan.platform).toBe('darwin');
    expect(plan.files.map((f) => f.path)).toEqual([plistPath]);
    expect(plan.directories).toEqual([join(procdHome, 'logs')]);
    const uid = process.getuid?.() ?? 0;
    expect(plan.commands).toEqual([['launchctl', 'bootstrap', `gui/${uid}`, plistPath]]);
    expect(parsePlist(plan.files[0]?.content ?? '')).toMatchObject({
      Label: 'dev.procd.daemon',
      ProgramArguments: [process.execPath, CLI, 'daemon', 'run'],
      EnvironmentVariables: { PROCD_HOME: procdHome },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      AbandonProcessGroup: true,
      StandardOutPath: join(procdHome, 'logs/launchd.log'),
    });
    expect(tree(home)).toEqual([]);
    expect(tree(procdHome)).toEqual([]);
  });

  it('windows: not supported yet, exit 1, a clear message', async () => {
    const { env } = isolatedEnv({ PROCD_SERVICE_PLATFORM: 'win32' });
    const r = await run(['service', 'install', '--dry-run'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not supported on Windows yet/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('usage errors exit 2', async () => {
    const { env } = isolatedEnv();
    expect((await run(['service'], env)).code).toBe(2);
    expect((await run(['service', 'frobnicate'], env)).code).toBe(2);
  });
});

describe('without a systemd user session', () => {
  const HAS_SYSTEMCTL = !spawnSync('systemctl', ['--version']).error;

  // Point systemctl --user at an empty runtime directory: there is no user manager to reach.
  const noSession = () => {
    const { home, env } = isolatedEnv({ PROCD_SERVICE_PLATFORM: 'linux', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    env.XDG_RUNTIME_DIR = tempDir('procd-svc-xrd-');
    return { home, env };
  };

  it.skipIf(!HAS_SYSTEMCTL)('install refuses before writing anything, and says what to do (skips when systemctl is missing)', async () => {
    const { home, env } = noSession();
    const r = await run(['service', 'install'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no systemd user session/);
    expect(r.stderr).toMatch(/loginctl enable-linger/);
    expect(r.stderr).toMatch(/nothing was changed/);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(tree(home)).toEqual([]);
  });

  it.skipIf(!HAS_SYSTEMCTL)('status reports it with exit 1 and no stack trace (skips when systemctl is missing)', async () => {
    const { env } = noSession();
    const r = await run(['service', 'status'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/not installed/);
    expect(r.stderr).toMatch(/no systemd user session/);
    expect(r.stderr).not.toMatch(NO_STACK);
    const j = await run(['service', 'status', '--json'], env);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ platform: 'linux', installed: false, active: false, problem: expect.stringMatching(/no systemd user session/) });
  });

  it('install without systemctl at all: exit 1, nothing written', async () => {
    const { home, env } = isolatedEnv({ PROCD_SERVICE_PLATFORM: 'linux', PATH: tempDir('procd-svc-nopath-') });
    const r = await run(['service', 'install'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/systemctl was not found/);
    expect(r.stderr).not.toMatch(NO_STACK);
    expect(tree(home)).toEqual([]);
  });
});

describe('install, status and uninstall against a fake systemctl', () => {
  let d: TestDaemon | undefined;
  afterEach(async () => {
    await d?.cleanup();
    d = undefined;
  });

  /**
   * A systemctl that logs its arguments and acts like a user manager just enough: `enable --now`
   * starts the daemon (as the real unit would), `disable --now` stops it, `is-active` answers.
   */
  function fakeSystemctl(): { bin: string; log: string } {
    const bin = tempDir('procd-svc-bin-');
    const log = join(bin, 'calls.log');
    const script = `#!/bin/sh
echo "$*" >> '${log}'
case "$*" in
  "--user is-system-running") echo running ;;
  "--user enable --now procd.service") exec '${process.execPath}' '${CLI}' daemon start ;;
  "--user disable --now procd.service") exec '${process.execPath}' '${CLI}' daemon stop ;;
  "--user is-active procd.service") echo active ;;
esac
exit 0
`;
    writeFileSync(join(bin, 'systemctl'), script);
    chmodSync(join(bin, 'systemctl'), 0o755);
    return { bin, log };
  }

  it('hands a running daemon’s jobs over to the service and takes it out again', async () => {
    d = await startTestDaemon();
    const home = tempDir('procd-svc-home-');
    const { bin, log } = fakeSystemctl();
    const env: NodeJS.ProcessEnv = { ...d.env, HOME: home, PATH: `${bin}:${process.env.PATH ?? ''}`, PROCD_SERVICE_PLATFORM: 'linux' };
    delete env.XDG_CONFIG_HOME;
    const job = await trackJob(d, ['--name', 'keep', '--', 'sleep', '300']);
    expect(job.state.kind).toBe('running');
    const jobPid = (job.state as { pid: number }).pid;
    const before = await daemonStatus(d);

    const r = await run(['service', 'install'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const unitPath = join(home, '.config/systemd/user/procd.service');
    expect(r.stdout).toContain(`wrote ${unitPath}`);
    expect(r.stdout).toContain(`$ ${process.execPath} ${CLI} daemon stop --keep-jobs`);
    expect(readFileSync(unitPath, 'utf8')).toContain(`Environment="PROCD_HOME=${d.home}"`);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['--user is-system-running', '--user daemon-reload', '--user enable --now procd.service']);

    // The old daemon is gone, a new one runs, and the job never stopped.
    const after = await daemonStatus(d);
    expect(after.pid).not.toBe(before.pid);
    expect(pidAlive(before.pid)).toBe(false);
    expect(pidAlive(jobPid)).toBe(true);
    const jobs = await listJobs(d);
    expect(jobs.find((j) => j.name === 'keep')?.state).toMatchObject({ kind: 'running', pid: jobPid });

    const s = await run(['service', 'status', '--json'], env);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ installed: true, active: true, state: 'active', path: unitPath });

    writeFileSync(log, '');
    const u = await run(['service', 'uninstall'], env);
    expect(u.code).toBe(0);
    expect(u.stdout).toContain(`removed ${unitPath}`);
    expect(existsSync(unitPath)).toBe(false);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['--user is-system-running', '--user disable --now procd.service', '--user daemon-reload']);
  });

  it('uninstall when nothing is installed says so and runs nothing', async () => {
    const { env } = isolatedEnv({ PROCD_SERVICE_PLATFORM: 'linux' });
    const { bin, log } = fakeSystemctl();
    env.PATH = `${bin}:${process.env.PATH ?? ''}`;
    mkdirSync(join(env.HOME as string, '.config'), { recursive: true });
    const r = await run(['service', 'uninstall'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/not installed/);
    expect(existsSync(log)).toBe(false);
  });
});
