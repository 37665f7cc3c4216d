import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXEC_START, readTemplate, renderLaunchdPlist, renderSystemdUnit, systemdEnvironmentLine, systemdExecWord, xmlEscape } from '../../../client/service/render.js';
import { parsePlist } from './plist.js';

const REPO = resolve(import.meta.dirname, '../../..');
const tmp = mkdtempSync(join(tmpdir(), 'procd-svc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const has = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return !r.error;
};
const HAS_ANALYZE = has('systemd-analyze', ['--version']);
const HAS_PYTHON = has('python3', ['--version']);

/**
 * Runs `systemd-analyze --user verify` on a unit file. User mode needs a runtime directory (a
 * container without a user session has none), so it gets a private temporary one. If the user
 * manager still cannot be set up, the system-mode `verify` checks the same syntax.
 */
function verify(unitFile: string): { code: number | null; output: string; how: string } {
  const runtime = mkdtempSync(join(tmpdir(), 'procd-xrd-'));
  try {
    let how = 'systemd-analyze --user verify';
    let r = spawnSync('systemd-analyze', ['--user', 'verify', unitFile], { encoding: 'utf8', env: { ...process.env, XDG_RUNTIME_DIR: runtime } });
    if (/Failed to initialize manager|Failed to lookup RuntimeDirectory/.test(r.stderr)) {
      how = 'systemd-analyze verify';
      r = spawnSync('systemd-analyze', ['verify', unitFile], { encoding: 'utf8' });
    }
    return { code: r.status, output: `${r.stdout}${r.stderr}`, how };
  } finally {
    rmSync(runtime, { recursive: true, force: true });
  }
}

/** A CLI path that exists (verify does not check it, but keep the test honest). */
const CLI = join(REPO, 'package.json');

describe('systemd unit', () => {
  it('ships a complete unit (no placeholder in a setting) with the settings that keep jobs alive', () => {
    const t = readFileSync(join(REPO, 'systemd/procd.service'), 'utf8');
    expect(t).toBe(readTemplate('systemd'));
    // Placeholders appear only in comments: the template-only ## documentation and the # @ENVIRONMENT@ marker.
    for (const line of t.split('\n')) if (!line.startsWith('#')) expect(line).not.toMatch(/@[A-Z_]+@/);
    expect(t).toMatch(/^# @ENVIRONMENT@$/m);
    expect(t).toContain(`##   ${EXEC_START}\n`);
    expect(t.match(/^ExecStart=.*$/gm)).toEqual(['ExecStart=/usr/bin/env procd daemon run']);
    expect(t).toMatch(/^Environment="PROCD_SIGTERM=keep-jobs"$/m);
    expect(t).toMatch(/^KillMode=process$/m);
    expect(t).toMatch(/^Delegate=yes$/m);
    expect(t).toMatch(/^Restart=on-failure$/m);
  });

  it('changes nothing but ExecStart= and the environment when rendering', () => {
    const t = readTemplate('systemd');
    const unit = renderSystemdUnit({ nodePath: '/n', cliPath: '/c', env: { PROCD_HOME: '/h' } });
    const settings = (text: string) => text.split('\n').filter((l) => !l.startsWith('##') && !/^(ExecStart=|Environment="PROCD_HOME=|# @ENVIRONMENT@)/.test(l));
    expect(settings(unit)).toEqual(settings(t));
    expect(unit).toMatch(/^ExecStart=\/n \/c daemon run$/m);
  });

  it('refuses a template without exactly one ExecStart= line', () => {
    const t = readTemplate('systemd');
    expect(() => renderSystemdUnit({ nodePath: '/n', cliPath: '/c', env: {} }, t.replace(/^ExecStart=.*$/m, ''))).toThrow(/exactly one ExecStart=/);
    expect(() => renderSystemdUnit({ nodePath: '/n', cliPath: '/c', env: {} }, t.replace(/^(ExecStart=.*)$/m, '$1\n$1'))).toThrow(/exactly one ExecStart=/);
  });

  it('renders absolute paths, environment and the required settings, with no placeholder left', () => {
    const unit = renderSystemdUnit({ nodePath: '/opt/node/bin/node', cliPath: '/opt/procd/dist/client/cli/main.js', env: { PROCD_HOME: '/home/u/.procd', PROCD_SOCKET: '/run/user/1000/p.sock' } });
    expect(unit).toMatch(/^ExecStart=\/opt\/node\/bin\/node \/opt\/procd\/dist\/client\/cli\/main\.js daemon run$/m);
    expect(unit).toMatch(/^Environment="PROCD_HOME=\/home\/u\/\.procd"$/m);
    expect(unit).toMatch(/^Environment="PROCD_SOCKET=\/run\/user\/1000\/p\.sock"$/m);
    for (const line of ['Type=simple', 'KillMode=process', 'Restart=on-failure', 'TimeoutStopSec=30s', 'WantedBy=default.target']) expect(unit).toMatch(new RegExp(`^${line}$`, 'm'));
    expect(unit).not.toMatch(/@[A-Z_]+@/);
    expect(unit).not.toMatch(/^##/m);
    // Environment lines come before ExecStart, inside [Service].
    expect(unit.indexOf('Environment=')).toBeGreaterThan(unit.indexOf('[Service]'));
    expect(unit.indexOf('Environment=')).toBeLessThan(unit.indexOf('ExecStart='));
  });

  it("renders only the unit's own Environment= line when nothing is set, and never repeats it", () => {
    const unit = renderSystemdUnit({ nodePath: '/n', cliPath: '/c', env: {} });
    expect(unit.match(/^Environment=.*$/gm)).toEqual(['Environment="PROCD_SIGTERM=keep-jobs"']);
    expect(unit).not.toContain('ENVIRONMENT');
    // The installer always passes PROCD_SIGTERM=keep-jobs (serviceEnvironment); the unit sets it already.
    const withEnv = renderSystemdUnit({ nodePath: '/n', cliPath: '/c', env: { PROCD_HOME: '/h', PROCD_SIGTERM: 'keep-jobs' } });
    expect(withEnv.match(/^Environment=.*$/gm)).toEqual(['Environment="PROCD_HOME=/h"', 'Environment="PROCD_SIGTERM=keep-jobs"']);
  });

  it('escapes what systemd would otherwise interpret', () => {
    expect(systemdExecWord('/plain/path')).toBe('/plain/path');
    expect(systemdExecWord('/with space/node')).toBe('"/with space/node"');
    expect(systemdExecWord('/a%b$c')).toBe('/a%%b$$c');
    // systemd expands no variables in the executable path, so `$` stays single there.
    expect(systemdExecWord('/a%b$c', 'executable')).toBe('/a%%b$c');
    expect(systemdExecWord('/q"\\x')).toBe('"/q\\"\\\\x"');
    expect(systemdEnvironmentLine('PROCD_HOME', '/h o%m"e')).toBe('Environment="PROCD_HOME=/h o%%m\\"e"');
    expect(() => systemdExecWord('/bad\npath')).toThrow(/newline/);
    expect(() => systemdEnvironmentLine('BAD NAME', 'x')).toThrow(/bad environment variable name/);
  });

  it.skipIf(!HAS_ANALYZE)('the shipped file itself passes systemd-analyze verify and --user verify (skips when systemd-analyze is not installed)', () => {
    const shipped = join(REPO, 'systemd/procd.service');
    const system = spawnSync('systemd-analyze', ['verify', shipped], { encoding: 'utf8' });
    expect(`${system.stdout}${system.stderr}`, 'systemd-analyze verify said').not.toMatch(/procd\.service/);
    expect(system.status, `systemd-analyze verify said:\n${system.stdout}${system.stderr}`).toBe(0);
    const r = verify(shipped);
    expect(r.output, `${r.how} said:\n${r.output}`).not.toMatch(/procd\.service/);
    expect(r.code, `${r.how} said:\n${r.output}`).toBe(0);
  });

  it.skipIf(!HAS_ANALYZE)('passes systemd-analyze verify (skips when systemd-analyze is not installed)', () => {
    const dir = join(tmp, 'verify');
    mkdirSync(dir);
    const file = join(dir, 'procd.service');
    writeFileSync(file, renderSystemdUnit({ nodePath: process.execPath, cliPath: CLI, env: { PROCD_HOME: join(tmp, 'home'), PROCD_SOCKET: join(tmp, 'p.sock') } }));
    const r = verify(file);
    expect(r.output, `${r.how} said:\n${r.output}`).not.toMatch(/procd\.service/);
    expect(r.code, `${r.how} said:\n${r.output}`).toBe(0);
  });

  it.skipIf(!HAS_ANALYZE)('passes systemd-analyze verify with spaces, % and $ in the paths (skips when systemd-analyze is not installed)', () => {
    const dir = join(tmp, 'odd dir %i $HOME');
    mkdirSync(dir);
    symlinkSync(process.execPath, join(dir, 'node'));
    const file = join(tmp, 'odd', 'procd.service');
    mkdirSync(join(tmp, 'odd'));
    const unit = renderSystemdUnit({ nodePath: join(dir, 'node'), cliPath: join(dir, 'main.js'), env: { PROCD_HOME: join(dir, 'home') } });
    expect(unit).toContain(`ExecStart="${tmp}/odd dir %%i $HOME/node" "${tmp}/odd dir %%i $$HOME/main.js" daemon run`);
    writeFileSync(file, unit);
    // verify resolves the executable path (specifiers included) and says so when it is not there.
    const r = verify(file);
    expect(r.output, `${r.how} said:\n${r.output}`).not.toMatch(/procd\.service/);
    expect(r.code, `${r.how} said:\n${r.output}`).toBe(0);
  });

  it.skipIf(!HAS_ANALYZE)('verify is strict enough to catch a broken unit (guards the test above)', () => {
    const dir = join(tmp, 'broken');
    mkdirSync(dir);
    const file = join(dir, 'procd.service');
    writeFileSync(file, renderSystemdUnit({ nodePath: join(tmp, 'no-such-node'), cliPath: CLI, env: {} }).replace('KillMode=process', 'KillMode=process\nBogusKey=1'));
    const r = verify(file);
    expect(r.output).toMatch(/BogusKey|not executable|No such file/);
  });
});

describe('launchd plist', () => {
  const input = {
    nodePath: '/opt/homebrew/bin/node',
    cliPath: '/Users/u/lib/node_modules/procd/dist/client/cli/main.js',
    logDir: '/Users/u/Library/Logs/procd',
    env: { PROCD_HOME: '/Users/u/p & <q>', PROCD_SOCKET: '/Users/u/p.sock' },
  };

  it('ships a template that parses and has its placeholders', () => {
    const t = readFileSync(join(REPO, 'launchd/dev.procd.daemon.plist'), 'utf8');
    expect(t).toBe(readTemplate('launchd'));
    for (const p of ['@NODE@', '@PROCD_CLI@', '@LOG_DIR@', '@ENVIRONMENT@']) expect(t).toContain(p);
    expect(parsePlist(t)).toMatchObject({ Label: 'dev.procd.daemon', AbandonProcessGroup: true });
  });

  it('renders the required keys with the right types and no placeholder left', () => {
    const xml = renderLaunchdPlist(input);
    expect(xml).not.toMatch(/@[A-Z_]+@/);
    const p = parsePlist(xml) as Record<string, unknown>;
    expect(p).toMatchObject({
      Label: 'dev.procd.daemon',
      ProgramArguments: [input.nodePath, input.cliPath, 'daemon', 'run'],
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      AbandonProcessGroup: true,
      ProcessType: 'Background',
      StandardOutPath: '/Users/u/Library/Logs/procd/launchd.log',
      StandardErrorPath: '/Users/u/Library/Logs/procd/launchd.log',
      EnvironmentVariables: input.env,
    });
    expect(typeof p.ExitTimeOut).toBe('number');
  });

  it('omits EnvironmentVariables when nothing is set', () => {
    const p = parsePlist(renderLaunchdPlist({ ...input, env: {} })) as Record<string, unknown>;
    expect(p).not.toHaveProperty('EnvironmentVariables');
  });

  it('escapes XML', () => {
    expect(xmlEscape(`a&b<c>"d'`)).toBe('a&amp;b&lt;c&gt;&quot;d&apos;');
  });

  it.skipIf(!HAS_PYTHON)("parses with python3's plistlib, to the same values (skips when python3 is not installed)", () => {
    const file = join(tmp, 'dev.procd.daemon.plist');
    const xml = renderLaunchdPlist(input);
    writeFileSync(file, xml);
    const r = spawnSync('python3', ['-c', 'import json,plistlib,sys; print(json.dumps(plistlib.load(open(sys.argv[1],"rb"))))', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual(parsePlist(xml));
  });

  it('the test parser rejects malformed plists', () => {
    const ok = renderLaunchdPlist(input);
    expect(() => parsePlist(ok.replace('</dict>\n</plist>', '</plist>'))).toThrow();
    expect(() => parsePlist(ok.replace('<true/>', '<ture/>'))).toThrow();
    expect(() => parsePlist(ok.replace('&amp;', '&'))).toThrow();
  });
});
