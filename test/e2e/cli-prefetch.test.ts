// The bin's `ls` and `status` send their call right behind hello, before hello's answer (one
// round trip less): a stand-in daemon that answers hello only once the next request has arrived
// gets an answer from them; a CLI that waited for hello would hang until its call timeout.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rowOf } from '../../shared/job-row.js';
import { summarize } from '../../shared/job.js';
import { PROTOCOL_VERSION } from '../../shared/methods.js';
import { makeJob, runningState } from '../helpers/job-factory.js';
import { CLI } from './helpers/daemon.js';

let dir = '';
let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const JOB = { id: 4, name: 'from-the-stand-in' };
/** A whole job, for the table: `rows` answers its row, `list` (to a table) the summary. */
const SUMMARY = summarize(makeJob({ id: 5, name: 'table-job', state: runningState({ pid: 4242 }) }));

/** Answers hello only after the request behind it; `list` with [JOB] (--json) or [SUMMARY], `rows` with SUMMARY's row (or, `withoutRows`, as a daemon from before rows: MethodNotFound), `status` with JOB. Records the methods in order. */
async function standIn(seen: string[], opts: { withoutRows?: boolean; table?: boolean } = {}): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'procd-cli-prefetch-'));
  const socket = join(dir, 's.sock');
  server = createServer((conn) => {
    let buffered = '';
    let held: { id: number } | null = null;
    const hello = (id: number) => ({ jsonrpc: '2.0', id, result: { daemonVersion: '0.0.9', protocolVersion: PROTOCOL_VERSION, pid: 1, capabilities: ['jobs'] } });
    conn.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const req = JSON.parse(buffered.slice(0, nl)) as { id: number; method: string };
        buffered = buffered.slice(nl + 1);
        seen.push(req.method);
        if (req.method === 'hello' && seen.length === 1) {
          held = req;
          continue;
        }
        const result = req.method === 'list' ? [opts.table ? SUMMARY : JOB] : req.method === 'rows' ? [rowOf(SUMMARY)] : JOB;
        const refused = req.method === 'rows' && opts.withoutRows;
        const answer = req.method === 'hello' ? hello(req.id) : refused ? { jsonrpc: '2.0', id: req.id, error: { code: -32601, message: 'Method not found: rows' } } : { jsonrpc: '2.0', id: req.id, result };
        conn.write(`${JSON.stringify(answer)}\n`);
        if (held) conn.write(`${JSON.stringify(hello(held.id))}\n`);
        held = null;
      }
    });
  });
  await new Promise<void>((r) => server!.listen(socket, r));
  return socket;
}

/** Runs the bin; kills it after `deadlineMs` (a CLI waiting for hello's answer never ends on its own here). */
function cli(args: string[], socket: string, deadlineMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env, PROCD_SOCKET: socket, PROCD_NO_AUTOSTART: '1', PROCD_HOME: dir };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the bin sends its call behind hello', () => {
  it('procd ls --json', async () => {
    const seen: string[] = [];
    const socket = await standIn(seen);
    const r = await cli(['ls', '--all', '--json'], socket);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([JOB]);
    expect(seen).toEqual(['hello', 'list']);
  });

  it('procd ls (the table) asks for rows, a third of the bytes of list', async () => {
    const seen: string[] = [];
    const socket = await standIn(seen);
    const r = await cli(['ls', '--all'], socket);
    // The stand-in says it is procd 0.0.9: a table (not --json) comes with that warning, nothing else.
    expect(r.stderr.replace(/^procd: warning: the daemon runs procd 0\.0\.9, .*\n/, '')).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^5 +table-job +running +4242 /m);
    expect(seen).toEqual(['hello', 'rows']);
  });

  it('procd ls from a daemon without rows (MethodNotFound) shows the table from list', async () => {
    const seen: string[] = [];
    const socket = await standIn(seen, { withoutRows: true, table: true });
    const r = await cli(['ls', '--all'], socket);
    // The stand-in says it is procd 0.0.9: a table (not --json) comes with that warning, nothing else.
    expect(r.stderr.replace(/^procd: warning: the daemon runs procd 0\.0\.9, .*\n/, '')).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^5 +table-job +running +4242 /m);
    expect(seen).toEqual(['hello', 'rows', 'list']);
  });

  it('procd status --json', async () => {
    const seen: string[] = [];
    const socket = await standIn(seen);
    const r = await cli(['status', '4', '--json'], socket);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JOB);
    expect(seen).toEqual(['hello', 'status']);
  });
});
