// The bin's `ls` and `status` send their call right behind hello, before hello's answer (one
// round trip less): a stand-in daemon that answers hello only once the next request has arrived
// gets an answer from them; a CLI that waited for hello would hang until its call timeout.

import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { rowOf } from '../../shared/job-row.js';
import { summarize } from '../../shared/job.js';
import { PROTOCOL_VERSION } from '../../shared/methods.js';
import { makeJob, runningState } from '../helpers/job-factory.js';
import { startStandIn, type StandIn, type StandInAnswer } from '../helpers/stand-in-daemon.js';
import { CLI } from './helpers/daemon.js';

let stand: StandIn | null = null;
afterEach(async () => {
  await stand?.close();
  stand = null;
});

const JOB = { id: 4, name: 'from-the-stand-in' };
/** A whole job, for the table: `rows` answers its row, `list` (to a table) the summary. */
const SUMMARY = summarize(makeJob({ id: 5, name: 'table-job', state: runningState({ pid: 4242 }) }));

/** Answers hello only after the request behind it; `list` with [JOB] (--json) or [SUMMARY], `rows` with SUMMARY's row (or, `withoutRows`, as a daemon from before rows: MethodNotFound), `status` with JOB. Records the methods in order. */
async function standIn(seen: string[], opts: { withoutRows?: boolean; table?: boolean } = {}): Promise<string> {
  const hello: StandInAnswer = { result: { daemonVersion: '0.0.9', protocolVersion: PROTOCOL_VERSION, pid: 1, capabilities: ['jobs'] } };
  stand = await startStandIn('procd-cli-prefetch-', () => {
    let held: { id: number } | null = null;
    return (req, reply) => {
      seen.push(req.method);
      if (req.method === 'hello' && seen.length === 1) {
        held = req;
        return;
      }
      const result = req.method === 'list' ? [opts.table ? SUMMARY : JOB] : req.method === 'rows' ? [rowOf(SUMMARY)] : JOB;
      const refused = req.method === 'rows' && opts.withoutRows;
      reply(req.id, req.method === 'hello' ? hello : refused ? { error: { code: -32601, message: 'Method not found: rows' } } : { result });
      if (held) reply(held.id, hello);
      held = null;
    };
  });
  return stand.socket;
}

/** Runs the bin; kills it after `deadlineMs` (a CLI waiting for hello's answer never ends on its own here). */
function cli(args: string[], socket: string, deadlineMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env, PROCD_SOCKET: socket, PROCD_NO_AUTOSTART: '1', PROCD_HOME: stand!.dir };
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
