// What `procd ls` loads, measured on the built bin: it runs against a stand-in daemon (a socket
// that answers hello and list with 100 jobs) with a preload that records, at exit, every file
// and every node built-in the process loaded. `procd ls` is the command people type most and the
// issue's start-up target (≤ 1.25× `node -e 0`); this fails when its path grows again: another
// of the CLI's files, more bytes of JavaScript, or a costly built-in it does not need.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hello } from '../../daemon/handlers/hello.js';
import { summarize } from '../../shared/job.js';
import { completedState, makeJob, runningState } from '../helpers/job-factory.js';
import { CLI } from './helpers/daemon.js';

/**
 * The bin's own file may hold this much (156–165 KiB when it held every command; 88 KiB once
 * split; 102 KiB with the probe options, their status rows and ls --wide; 86 KiB since it carries
 * the method table without help and docs text; 96.5 KiB with owners and ports, 90 KiB since its
 * own commands' help text went to cli.js too).
 */
const LS_JS_BUDGET = 96 * 1024;
/** Built-ins `ls` has no use for, each costly to load: their presence means cold code came along. */
const UNNEEDED_BUILTINS = ['child_process', 'worker_threads', 'readline', 'zlib', 'crypto', 'http', 'https', 'tls', 'dns', 'vm'];

const PRELOAD = `
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  const files = Object.keys(require.cache).filter((f) => f !== __filename);
  writeFileSync(process.env.LOAD_REPORT, JSON.stringify({ builtins, files }));
});
`;

interface LoadReport {
  builtins: string[];
  files: string[];
}

let dir: string;
let server: Server;

/** A stand-in daemon: newline-delimited JSON-RPC, answering hello and list. */
function standIn(socket: string): Promise<Server> {
  const jobs = Array.from({ length: 100 }, (_, i) =>
    summarize(makeJob({ id: i + 1, name: i % 2 ? `web-${i}` : `build-${i}`, state: i % 2 ? runningState({ pid: 1000 + i }) : completedState(), spec: { command: { kind: 'argv', argv: ['node', 'server.js', '--port', String(3000 + i)] } } })),
  );
  const answer = (req: { id: number; method: string }) => (req.method === 'hello' ? hello() : req.method === 'list' ? jobs : null);
  const s = createServer((conn) => {
    let buffered = '';
    conn.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const req = JSON.parse(buffered.slice(0, nl)) as { id: number; method: string };
        buffered = buffered.slice(nl + 1);
        conn.write(`${JSON.stringify({ jsonrpc: '2.0', id: req.id, result: answer(req) })}\n`);
      }
    });
    conn.on('error', () => undefined);
  });
  return new Promise((resolve) => s.listen(socket, () => resolve(s)));
}

/** Runs node with the recording preload; returns the exit code, stdout and what was loaded. */
function runRecorded(args: string[], name: string): Promise<{ code: number | null; stdout: string; stderr: string; report: LoadReport }> {
  const report = join(dir, `${name}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env, PROCD_SOCKET: join(dir, 'procd.sock'), PROCD_NO_AUTOSTART: '1', LOAD_REPORT: report, NODE_OPTIONS: '' };
  delete env.PROCD_HOME;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', join(dir, 'preload.cjs'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    server = await standIn(join(dir, 'procd.sock'));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the bin file alone, within its byte budget, and no built-in it does not need', async () => {
    const ls = await runRecorded([CLI, 'ls', '--all'], 'ls');
    expect(ls.stderr).toBe('');
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^ID +NAME +STATE/);
    expect(ls.stdout).toContain('web-99');

    expect(ls.report.files).toEqual([CLI]);
    expect(statSync(CLI).size).toBeLessThanOrEqual(LS_JS_BUDGET);
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
});
