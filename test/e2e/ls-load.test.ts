// What `procd ls` loads, measured on the built bin: it runs against a stand-in daemon (a socket
// that answers hello and list with 100 jobs) with a preload that records, at exit, every file
// and every node built-in the process loaded. `procd ls` is the command people type most and the
// issue's start-up target (≤ 1.25× `node -e 0`); this fails when its path grows again: another
// of the CLI's files, more bytes of JavaScript, or a costly built-in it does not need. The bin
// (main.js) is a loader that compiles the hot commands' bundle (hot.js) with the V8 code cache
// the build trained for each hot command (bundle-cli-cache.mjs): the last tests check that V8
// takes those caches, and that a damaged cache or an edited hot.js still runs the file as it is.

import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hello } from '../../daemon/handlers/hello.js';
import { summarize } from '../../shared/job.js';
import { rowOf } from '../../shared/job-row.js';
import { completedState, makeJob, runningState } from '../helpers/job-factory.js';
import { startStandIn, type StandIn } from '../helpers/stand-in-daemon.js';
import { CLI } from './helpers/daemon.js';

/** The hot commands' bundle, which the bin compiles (with its code cache). */
const HOT = join(dirname(CLI), 'hot.js');
/**
 * The bin's bundle (hot.js) may hold this much (156–165 KiB when it held every command; 88 KiB once
 * split; 102 KiB with the probe options, their status rows and ls --wide; 86 KiB since it carries
 * the method table without help and docs text; 96.5 KiB with owners and ports, 90 KiB since its
 * own commands' help text went to cli.js too).
 */
const LS_JS_BUDGET = 96 * 1024;
/** Built-ins `ls` has no use for, each costly to load: their presence means cold code came along (`vm` is the bin's: it compiles hot.js with its code cache). */
const UNNEEDED_BUILTINS = ['child_process', 'worker_threads', 'readline', 'zlib', 'crypto', 'http', 'https', 'tls', 'dns'];

const PRELOAD = `
const { writeFileSync } = require('node:fs');
const vm = require('node:vm');
// What the bin compiles through vm.Script, with how many bytes of code cache, and whether V8 took them.
const scripts = [];
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(source, options) {
    super(source, options);
    scripts.push({ filename: options && options.filename, cachedBytes: options && options.cachedData ? options.cachedData.length : 0, rejected: this.cachedDataRejected === true });
  }
};
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  const files = Object.keys(require.cache).filter((f) => f !== __filename);
  writeFileSync(process.env.LOAD_REPORT, JSON.stringify({ builtins, files, scripts }));
});
`;

interface LoadReport {
  builtins: string[];
  files: string[];
  scripts: { filename: string; cachedBytes: number; rejected: boolean }[];
}

let dir: string;
let stand: StandIn | undefined;

/** A stand-in daemon answering hello, list and rows (100 jobs), status, track and kill. */
function standIn(): Promise<StandIn> {
  const jobs = Array.from({ length: 100 }, (_, i) =>
    summarize(makeJob({ id: i + 1, name: i % 2 ? `web-${i}` : `build-${i}`, state: i % 2 ? runningState({ pid: 1000 + i }) : completedState(), spec: { command: { kind: 'argv', argv: ['node', 'server.js', '--port', String(3000 + i)] } } })),
  );
  const answer = (req: { id: number; method: string }) =>
    req.method === 'hello' ? hello() : req.method === 'list' ? jobs : req.method === 'rows' ? jobs.map(rowOf) : req.method === 'status' || req.method === 'track' ? jobs[1] : req.method === 'kill' ? [] : null;
  return startStandIn('procd-ls-load-daemon-', () => (req, reply) => reply(req.id, { result: answer(req) }));
}

/** Runs node with the recording preload; returns the exit code, stdout and what was loaded. */
function runRecorded(args: string[], name: string, extraEnv: NodeJS.ProcessEnv = {}, cwd?: string): Promise<{ code: number | null; stdout: string; stderr: string; report: LoadReport }> {
  const report = join(dir, `${name}.json`);
  // XDG_CACHE_HOME: where a bin whose file times are not the build's keeps its own code cache (not the user's ~/.cache).
  const env: NodeJS.ProcessEnv = { ...process.env, PROCD_SOCKET: stand!.socket, PROCD_NO_AUTOSTART: '1', LOAD_REPORT: report, NODE_OPTIONS: '', XDG_CACHE_HOME: join(dir, 'xdg-cache') };
  delete env.PROCD_HOME;
  Object.assign(env, extraEnv);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', join(dir, 'preload.cjs'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, report: JSON.parse(readFileSync(report, 'utf8')) as LoadReport }));
  });
}

describe('what `procd ls` loads (built bin, stand-in daemon)', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'procd-ls-load-'));
    writeFileSync(join(dir, 'preload.cjs'), PRELOAD);
    stand = await standIn();
  });
  afterAll(async () => {
    await stand?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the bin file alone, within its byte budget, and no built-in it does not need', async () => {
    const ls = await runRecorded([CLI, 'ls', '--all'], 'ls');
    expect(ls.stderr).toBe('');
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^ID +NAME +STATE/);
    expect(ls.stdout).toContain('web-99');

    // The bin compiles hot.js itself (vm.Script): the loader is the only file Node's loader reads.
    expect(ls.report.files).toEqual([CLI]);
    expect(ls.report.scripts.map((s) => s.filename)).toEqual([HOT]);
    expect(statSync(HOT).size).toBeLessThanOrEqual(LS_JS_BUDGET);
    expect(statSync(CLI).size).toBeLessThanOrEqual(4 * 1024);
    const baseline = await runRecorded(['-e', '0'], 'baseline');
    const added = ls.report.builtins.filter((m) => !baseline.report.builtins.includes(m));
    expect(added.filter((m) => UNNEEDED_BUILTINS.includes(m))).toEqual([]);
  });

  it('the recording sees the full CLI when a command needs it (so an empty list above means something)', async () => {
    const help = await runRecorded([CLI, '--help'], 'help');
    expect(help.code).toBe(0);
    expect(help.report.files).toEqual([CLI, join(CLI, '../cli.js')]);
    // The bin requires cli.js (CommonJS): an import() of it started Node's ES module loader, which
    // cost every other command (logs, kill, wait, --help) ~60 ms here (~220 → ~155 ms for `--version`).
    expect(help.report.builtins.filter((m) => m === 'internal/modules/esm/loader')).toEqual([]);
  });

  it("a hot command's --help (or -h) is answered by cli.js, which has the help text the bin leaves out; after -- it is the job's", async () => {
    for (const args of [['track', '--help'], ['ls', '-h'], ['status', '--json', '--help']]) {
      const help = await runRecorded([CLI, ...args], `help-${args[0]}`);
      expect(help.code, args.join(' ')).toBe(0);
      expect(help.stdout, args.join(' ')).toContain(`Usage: procd ${args[0]}`);
      expect(help.stdout, args.join(' ')).toMatch(/Options:\n {2}-/);
      expect(help.report.files, args.join(' ')).toEqual([CLI, join(CLI, '../cli.js')]);
    }
  });

  it("each hot command compiles hot.js from the code cache the build trained for it, and V8 takes it", async () => {
    for (const args of [['ls', '--all'], ['status', '2'], ['track', '--', 'true']]) {
      const run = await runRecorded([CLI, ...args], `cache-${args[0]}`);
      expect(run.stderr, args.join(' ')).toBe('');
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.report.scripts, args.join(' ')).toEqual([{ filename: HOT, cachedBytes: statSync(join(dirname(CLI), `hot.${args[0]}.v8cache`)).size, rejected: false }]);
    }
    const off = await runRecorded([CLI, 'ls', '--all'], 'cache-off', { PROCD_CODE_CACHE: '0' });
    expect(off.report.scripts).toEqual([{ filename: HOT, cachedBytes: 0, rejected: false }]);
  });

  it('up and down compile cli.js from the code cache the build trained for each, V8 takes it, and a cached project load needs no YAML parser', async () => {
    const home = join(dir, 'home');
    const project = join(dir, 'project');
    mkdirSync(home, { mode: 0o700 });
    mkdirSync(project);
    writeFileSync(join(project, 'procd.yaml'), 'name: shop\njobs:\n  db:\n    command: [sleep, "1"]\n  api:\n    command: [sleep, "1"]\n    after: ["db:started"]\n');
    const FULL = join(dirname(CLI), 'cli.js');
    // The first down loads the file (with the YAML parser) and keeps the load; the next ones take it from there.
    const first = await runRecorded([CLI, 'down'], 'down-first', { PROCD_HOME: home }, project);
    expect(first.stderr).toBe('');
    expect(first.report.files).toContain(join(dirname(CLI), 'yaml.js'));
    for (const word of ['down', 'up']) {
      const run = await runRecorded([CLI, word], `cache-${word}`, { PROCD_HOME: home }, project);
      expect(run.stderr, word).toBe('');
      expect(run.code, word).toBe(0);
      expect(run.report.scripts, word).toEqual([
        { filename: HOT, cachedBytes: statSync(join(dirname(CLI), 'hot.ls.v8cache')).size, rejected: false },
        { filename: FULL, cachedBytes: statSync(join(dirname(CLI), `cli.${word}.v8cache`)).size, rejected: false },
      ]);
      // Compiled by the bin, not required: cli.js is not in Node's module cache, nor is yaml.js.
      expect(run.report.files, word).toEqual([CLI]);
    }
    const off = await runRecorded([CLI, 'down'], 'cache-off-down', { PROCD_HOME: home, PROCD_CODE_CACHE: '0' }, project);
    expect(off.stdout).toContain('shop: nothing to stop');
    expect(off.report.scripts.map((s) => s.cachedBytes)).toEqual([0, 0]);
  });

  it('a damaged cache costs a normal compile, and an edited hot.js never runs with the cache of the old one', async () => {
    const expected = (await runRecorded([CLI, 'ls', '--all'], 'plain')).stdout;
    // A copy that keeps the files' times, so that the bin takes the caches as the build's.
    const copy = join(dir, 'copy');
    cpSync(dirname(CLI), copy, { recursive: true, preserveTimestamps: true });
    const bin = join(copy, 'main.js');
    const kept = await runRecorded([bin, 'ls', '--all'], 'copy');
    expect(kept.report.scripts).toEqual([{ filename: join(copy, 'hot.js'), cachedBytes: statSync(join(copy, 'hot.ls.v8cache')).size, rejected: false }]);

    writeFileSync(join(copy, 'hot.ls.v8cache'), Buffer.alloc(4096, 7));
    const damaged = await runRecorded([bin, 'ls', '--all'], 'damaged');
    expect(damaged.code).toBe(0);
    expect(damaged.stdout).toBe(expected);
    expect(damaged.report.scripts).toEqual([{ filename: join(copy, 'hot.js'), cachedBytes: 4096, rejected: true }]);

    // Same length, other text: V8 alone would take the old cache (it checks the source's length only) and print STATE.
    const hot = readFileSync(join(copy, 'hot.js'), 'utf8');
    expect(hot).toContain('"ID","NAME","STATE"');
    writeFileSync(join(copy, 'hot.js'), hot.replace('"ID","NAME","STATE"', '"ID","NAME","STAT3"'));
    writeFileSync(join(copy, 'hot.ls.v8cache'), readFileSync(join(dirname(CLI), 'hot.ls.v8cache')));
    const edited = await runRecorded([bin, 'ls', '--all'], 'edited');
    expect(edited.code).toBe(0);
    expect(edited.stdout).toMatch(/^ID +NAME +STAT3 /);
    expect(edited.report.scripts).toEqual([{ filename: join(copy, 'hot.js'), cachedBytes: 0, rejected: false }]);
  });

  it('a copy with other file times (as every npm install has) makes its own cache on the first run and takes it from the next; an edit, or a cache others may write, is not used', async () => {
    const expected = (await runRecorded([CLI, 'ls', '--all'], 'plain-own')).stdout;
    const copy = join(dir, 'npm-like');
    cpSync(dirname(CLI), copy, { recursive: true }); // new times: the build's caches do not apply
    const bin = join(copy, 'main.js');
    const xdg = join(dir, 'xdg-own');
    const own = join(xdg, 'procd', 'code-cache');
    const run = (name: string, args = ['ls', '--all']) => runRecorded([bin, ...args], name, { XDG_CACHE_HOME: xdg });
    const cachesOf = (command: string) => readdirSync(own).filter((f) => f.startsWith(`${command}-`) && f.endsWith('.v8cache'));

    // A run that fails (no daemon here) keeps no cache: it compiled only its error path.
    const failed = await runRecorded([bin, 'ls', '--all'], 'own-failed', { XDG_CACHE_HOME: xdg, PROCD_SOCKET: join(dir, 'nobody.sock') });
    expect(failed.code).toBe(1);
    expect(existsSync(own)).toBe(false);

    const first = await run('own-first');
    expect(first.stdout).toBe(expected);
    expect(first.report.scripts).toEqual([{ filename: join(copy, 'hot.js'), cachedBytes: 0, rejected: false }]);
    expect(statSync(own).mode & 0o777).toBe(0o700);
    const [made] = cachesOf('hot.ls');
    expect(cachesOf('hot.ls')).toHaveLength(1);
    expect(statSync(join(own, made!)).mode & 0o777).toBe(0o600);

    const second = await run('own-second');
    expect(second.stdout).toBe(expected);
    expect(second.report.scripts).toEqual([{ filename: join(copy, 'hot.js'), cachedBytes: statSync(join(own, made!)).size, rejected: false }]);
    // Each command has its own, as the build's caches are per command.
    expect((await run('own-status', ['status', '2'])).report.scripts[0]!.cachedBytes).toBe(0);
    expect(cachesOf('hot.status')).toHaveLength(1);

    // A cache someone else could have written is not taken; the run writes a sound one in its place.
    chmodSync(join(own, made!), 0o666);
    expect((await run('own-writable')).report.scripts[0]!.cachedBytes).toBe(0);
    expect(statSync(join(own, made!)).mode & 0o777).toBe(0o600);
    expect((await run('own-rewritten')).report.scripts[0]!.cachedBytes).toBeGreaterThan(0);

    // Same length, other text, new time: never the old cache. The new one's write also clears this
    // command's caches older than a week (an earlier version's), and keeps a recent one.
    const weekOld = join(own, 'hot.ls-1-2-3-4-old.v8cache');
    const recent = join(own, 'hot.ls-1-2-3-4-recent.v8cache');
    writeFileSync(weekOld, 'x');
    writeFileSync(recent, 'x');
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
    utimesSync(weekOld, eightDaysAgo, eightDaysAgo);
    const hot = readFileSync(join(copy, 'hot.js'), 'utf8');
    writeFileSync(join(copy, 'hot.js'), hot.replace('"ID","NAME","STATE"', '"ID","NAME","STAT3"'));
    const edited = await run('own-edited');
    expect(edited.stdout).toMatch(/^ID +NAME +STAT3 /);
    expect(edited.report.scripts).toEqual([{ filename: join(copy, 'hot.js'), cachedBytes: 0, rejected: false }]);
    const after = cachesOf('hot.ls');
    expect(after).toHaveLength(3); // the first, the recent one, and the edited file's
    expect(after).toEqual(expect.arrayContaining([made!, 'hot.ls-1-2-3-4-recent.v8cache']));
    expect(readdirSync(own)).not.toContain('hot.ls-1-2-3-4-old.v8cache');
  });
});
