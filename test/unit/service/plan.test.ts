import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  installPlan,
  launchdLogDir,
  renderServiceFile,
  serviceEnvironment,
  serviceFilePath,
  uninstallPlan,
  unsupportedReason,
  type ServiceContext,
  type Step,
} from '../../../client/service/plan.js';
import { parsePlist } from './plist.js';

function ctx(platform: NodeJS.Platform, env: NodeJS.ProcessEnv = {}): ServiceContext {
  return { platform, env: { HOME: '/fake/home', ...env }, home: '/fake/home', uid: 501, user: 'ann', nodePath: '/opt/node/bin/node', cliPath: '/opt/procd/dist/client/cli/main.js' };
}
const runs = (steps: Step[]) => steps.flatMap((s) => (s.kind === 'run' ? [s.argv] : []));

describe('service file locations', () => {
  it('puts the unit under ~/.config, or under an absolute XDG_CONFIG_HOME', () => {
    expect(serviceFilePath(ctx('linux'))).toBe('/fake/home/.config/systemd/user/procd.service');
    expect(serviceFilePath(ctx('linux', { XDG_CONFIG_HOME: '/xdg' }))).toBe('/xdg/systemd/user/procd.service');
    // The XDG spec says a relative value is to be ignored.
    expect(serviceFilePath(ctx('linux', { XDG_CONFIG_HOME: 'rel/xdg' }))).toBe('/fake/home/.config/systemd/user/procd.service');
  });

  it('puts the plist in ~/Library/LaunchAgents and the launchd log under procd’s log directory', () => {
    expect(serviceFilePath(ctx('darwin'))).toBe('/fake/home/Library/LaunchAgents/dev.procd.daemon.plist');
    expect(launchdLogDir(ctx('darwin'))).toBe('/fake/home/Library/Logs/procd');
    expect(launchdLogDir(ctx('darwin', { PROCD_HOME: '/p' }))).toBe('/p/logs');
    expect(launchdLogDir(ctx('darwin', { PROCD_HOME: '/p', PROCD_LOG_DIR: '/l' }))).toBe('/l');
  });

  it('supports Linux and macOS only, with a clear message elsewhere', () => {
    expect(unsupportedReason('linux')).toBeNull();
    expect(unsupportedReason('darwin')).toBeNull();
    expect(unsupportedReason('win32')).toMatch(/not supported on Windows yet/);
    expect(unsupportedReason('freebsd')).toMatch(/not on freebsd/);
  });
});

describe('service environment', () => {
  it('passes only what is set, with location paths made absolute', () => {
    // PROCD_SIGTERM=keep-jobs always: a service-manager restart must not stop the jobs.
    expect(serviceEnvironment(ctx('linux'))).toEqual({ PROCD_SIGTERM: 'keep-jobs' });
    expect(serviceEnvironment(ctx('linux', { PROCD_HOME: 'rel/home', PROCD_SOCKET: '/s.sock', PROCD_PERL: 'perl', PROCD_SHIM: 'perl', PATH: '/bin' }))).toEqual({
      PROCD_HOME: resolve('rel/home'),
      PROCD_SOCKET: '/s.sock',
      PROCD_PERL: 'perl',
      PROCD_SHIM: 'perl',
      PROCD_SIGTERM: 'keep-jobs',
    });
  });

  it('pins the socket on macOS, where a launchd agent need not see the shell’s TMPDIR', () => {
    const env = serviceEnvironment(ctx('darwin', { TMPDIR: '/var/folders/x/T/' }));
    expect(env.PROCD_SOCKET).toMatch(/^\/var\/folders\/x\/T\/procd-\d+\/procd\.sock$/);
    expect(serviceEnvironment(ctx('darwin', { PROCD_HOME: '/p' }))).toEqual({ PROCD_HOME: '/p', PROCD_SIGTERM: 'keep-jobs' });
  });
});

describe('install and uninstall plans', () => {
  it('linux: writes the unit, reloads, enables and starts it', () => {
    const plan = installPlan(ctx('linux', { PROCD_HOME: '/p' }), { daemonPid: null, launchdLoaded: false });
    expect(plan.platform).toBe('linux');
    expect(plan.steps[0]).toMatchObject({ kind: 'write', path: '/fake/home/.config/systemd/user/procd.service' });
    const unit = (plan.steps[0] as { content: string }).content;
    expect(unit).toContain('ExecStart=/opt/node/bin/node /opt/procd/dist/client/cli/main.js daemon run');
    expect(unit).toContain('Environment="PROCD_HOME=/p"');
    expect(runs(plan.steps)).toEqual([
      ['systemctl', '--user', 'daemon-reload'],
      ['systemctl', '--user', 'enable', '--now', 'procd.service'],
    ]);
    expect(plan.notes.join('\n')).toContain('loginctl enable-linger ann');
  });

  it('linux: a running daemon is stopped with --keep-jobs after the reload and before the start', () => {
    const plan = installPlan(ctx('linux'), { daemonPid: 4242, launchdLoaded: false });
    expect(runs(plan.steps)).toEqual([
      ['systemctl', '--user', 'daemon-reload'],
      ['/opt/node/bin/node', '/opt/procd/dist/client/cli/main.js', 'daemon', 'stop', '--keep-jobs'],
      ['systemctl', '--user', 'enable', '--now', 'procd.service'],
    ]);
    expect(plan.steps.find((s) => s.kind === 'run' && s.argv.includes('stop'))).toMatchObject({ waitForExit: 4242 });
    expect(plan.notes.join('\n')).toMatch(/pid 4242.*--keep-jobs/);
  });

  it('darwin: creates the log directory, writes the plist and bootstraps it into gui/UID', () => {
    const plan = installPlan(ctx('darwin'), { daemonPid: null, launchdLoaded: false });
    expect(plan.steps.map((s) => s.kind)).toEqual(['mkdir', 'write', 'run']);
    expect(plan.steps[0]).toEqual({ kind: 'mkdir', path: '/fake/home/Library/Logs/procd' });
    expect(runs(plan.steps)).toEqual([['launchctl', 'bootstrap', 'gui/501', '/fake/home/Library/LaunchAgents/dev.procd.daemon.plist']]);
    const plist = parsePlist((plan.steps[1] as { content: string }).content) as Record<string, unknown>;
    expect(plist.ProgramArguments).toEqual(['/opt/node/bin/node', '/opt/procd/dist/client/cli/main.js', 'daemon', 'run']);
    expect(plist.StandardOutPath).toBe('/fake/home/Library/Logs/procd/launchd.log');
  });

  it('darwin: re-install stops a running daemon, boots the loaded agent out, then bootstraps', () => {
    const plan = installPlan(ctx('darwin'), { daemonPid: 7, launchdLoaded: true });
    expect(runs(plan.steps).map((a) => a.slice(0, 3).join(' '))).toEqual([
      '/opt/node/bin/node /opt/procd/dist/client/cli/main.js daemon',
      'launchctl bootout gui/501/dev.procd.daemon',
      'launchctl bootstrap gui/501',
    ]);
  });

  it('uninstall: disables and stops, removes the file, reloads (linux); boots out and removes (darwin)', () => {
    const linux = uninstallPlan(ctx('linux'), { daemonPid: null, launchdLoaded: false }, true);
    expect(linux.steps).toEqual([
      { kind: 'run', argv: ['systemctl', '--user', 'disable', '--now', 'procd.service'] },
      { kind: 'remove', path: '/fake/home/.config/systemd/user/procd.service' },
      { kind: 'run', argv: ['systemctl', '--user', 'daemon-reload'] },
    ]);
    const darwin = uninstallPlan(ctx('darwin'), { daemonPid: null, launchdLoaded: true }, true);
    expect(darwin.steps).toEqual([
      { kind: 'run', argv: ['launchctl', 'bootout', 'gui/501/dev.procd.daemon'] },
      { kind: 'remove', path: '/fake/home/Library/LaunchAgents/dev.procd.daemon.plist' },
    ]);
    const none = uninstallPlan(ctx('linux'), { daemonPid: null, launchdLoaded: false }, false);
    expect(none.steps).toEqual([]);
    expect(none.notes[0]).toMatch(/not installed/);
  });

  it('renders for the given home and tool paths', () => {
    const f = renderServiceFile(ctx('linux', { XDG_CONFIG_HOME: join('/fake', 'xdg') }));
    expect(f.path).toBe('/fake/xdg/systemd/user/procd.service');
    expect(f.content).not.toMatch(/@[A-Z_]+@/);
  });
});
