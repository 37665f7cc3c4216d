// "A signal reaches each process exactly once": a job whose processes count the signals they
// receive (leader, a child in its group, a child in a group of its own, a setsid'd escapee found
// by its markers), under CPU load, gets `procd signal` three times and `procd kill` once, and
// every process counts exactly one delivery each time.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/job.js';
import type { KillResult } from '../../shared/methods.js';
import { FIXTURES, pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

const ROLES = ['leader', 'child', 'grouped', 'escapee'] as const;
type Counts = { pid: number; usr1: number; usr2: number; term: number };

let d: TestDaemon;
let dir: string;
const load: ChildProcess[] = [];
beforeEach(async () => {
  d = await startTestDaemon();
  dir = mkdtempSync(join(tmpdir(), 'procd-count-'));
  // Busy loops on every core for the test's duration: a signaller that gets preempted between
  // two sends is what made a second delivery visible.
  for (let i = 0; i < Math.max(2, cpus().length + 1); i++) load.push(spawn('perl', ['-e', '1 while 1'], { stdio: 'ignore' }));
});
afterEach(async () => {
  for (const p of load.splice(0)) p.kill('SIGKILL');
  await d?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function counts(): Record<(typeof ROLES)[number], Counts> {
  const out = {} as Record<(typeof ROLES)[number], Counts>;
  for (const role of ROLES) {
    const [pid, usr1, usr2, term] = readFileSync(join(dir, role), 'utf8').trim().split(' ').map(Number);
    out[role] = { pid: pid!, usr1: usr1!, usr2: usr2!, term: term! };
  }
  return out;
}

const all = (pred: (c: Counts) => boolean) => () => Object.values(counts()).every(pred);

describe('a signal reaches each process exactly once', () => {
  it('procd signal and procd kill deliver one signal to every process of the job, under CPU load', async () => {
    const job = JSON.parse((await d.cli(['track', '--json', '--', join(FIXTURES, 'count-signals.pl'), dir])).stdout) as Job;
    await waitFor(async () => (await d.cli(['logs', String(job.id)])).stdout.includes('ready'), { what: 'every process of the job to report', timeoutMs: 30_000 });
    expect(ROLES.every((r) => existsSync(join(dir, r)))).toBe(true);
    const pids = Object.values(counts()).map((c) => c.pid).sort((a, b) => a - b);
    expect(new Set(pids).size).toBe(4);

    for (let round = 1; round <= 3; round++) {
      const r = await d.cli(['signal', '--json', String(job.id), 'USR1']);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { signalled: number[] }).signalled).toEqual(pids);
      await waitFor(all((c) => c.usr1 >= round), { what: `USR1 round ${round} to reach every process`, timeoutMs: 30_000 });
    }
    // A barrier: pending standard signals are delivered lowest number first (USR1 10 < USR2 12),
    // so once USR2 is counted, any second USR1 would have been counted before it.
    expect((await d.cli(['signal', String(job.id), 'USR2'])).code).toBe(0);
    await waitFor(all((c) => c.usr2 >= 1), { what: 'USR2 to reach every process', timeoutMs: 30_000 });
    for (const [role, c] of Object.entries(counts())) expect({ role, usr1: c.usr1, usr2: c.usr2, term: c.term }).toEqual({ role, usr1: 3, usr2: 1, term: 0 });

    // The kill: SIGTERM once to each; each stays 0.3 s after it (a second SIGTERM would be
    // counted), then exits by itself well within the grace.
    const k = await d.cli(['kill', '--json', String(job.id), '--grace', '20s']);
    expect(k.code).toBe(0);
    const [result] = JSON.parse(k.stdout) as KillResult[];
    expect(result).toMatchObject({ state: 'killed', signalled: pids, forced: [] });
    for (const [role, c] of Object.entries(counts())) expect({ role, usr1: c.usr1, usr2: c.usr2, term: c.term }).toEqual({ role, usr1: 3, usr2: 1, term: 1 });
    await waitFor(() => pids.every((pid) => !pidAlive(pid)), { what: 'every process to be gone' });
  });
});
