// `procd wait --for CONDITION` against a real daemon and real processes: each condition fires on a
// real job (output printed after a delay, a real listener, a real HTTP server on 127.0.0.1, quiet,
// exit, ready, port-free once the holder is killed); a condition that never comes ends at the
// timeout with 124 and the last lines; a job that exits first is reported with its own exit code
// (exit 125); `--new` ignores a line printed before the wait; several jobs must each meet it;
// `track --wait-for` starts and waits in one call; bad input is refused with exit 2.

import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WaitResult } from '../../shared/methods.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, parseJson, trackJob } from './helpers/jobs.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.cleanup();
});

/** A TCP port free right now on 127.0.0.1: bound on port 0, then released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let names = 0;
/** Starts a job under a fresh name; its id. */
async function start(args: string[]): Promise<number> {
  return (await trackJob(d, ['--name', `wf${++names}`, ...args])).id;
}

async function waitJson(args: string[], code: number): Promise<WaitResult> {
  const r = await d.cli(['wait', '--json', ...args]);
  expectExit(r, code, `wait --json ${args.join(' ')}`);
  return parseJson<WaitResult>(r, `wait ${args.join(' ')}`);
}

describe('procd wait --for: each condition on a real job', () => {
  it('output=: a line printed after a delay; the answer names the condition, the job and the line, then the last lines', async () => {
    const id = await start(['--shell', 'echo booting; sleep 1; echo server ready on 8080; sleep 600']);
    const r = await d.cli(['wait', String(id), '--for', 'output=server ready']);
    expectExit(r, 0, 'wait --for output=');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^procd wait: output=server ready for job ${id} \\(wf\\d+\\): server ready on 8080 \\(after \\S+\\)$`));
    expect(lines.slice(1)).toEqual([`--- job ${id} (wf${names}), last 2 lines:`, '  booting', '  server ready on 8080']);
  });

  it('listen=PORT: a real listener of the job, opened after a delay', async () => {
    const port = await freePort();
    const id = await start(['--', process.execPath, '-e', `setTimeout(() => require('net').createServer().listen(${port}, '127.0.0.1'), 700)`]);
    const w = await waitJson([String(id), '--for', `listen=${port}`, '--timeout', '30s'], 0);
    expect(w.for).toMatchObject({ outcome: 'met', fired: [{ job: id, condition: `listen=${port}`, detail: expect.stringContaining(`listening on ${port}`) }] });
    expect(w.timedOut).toBe(false);
  });

  it('http=URL: a real HTTP server on 127.0.0.1, answering after a delay', async () => {
    const port = await freePort();
    const server = `setTimeout(() => require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1'), 700)`;
    const id = await start(['--', process.execPath, '-e', server]);
    const w = await waitJson([String(id), '--for', `http=http://127.0.0.1:${port}/health`], 0);
    expect(w.for).toMatchObject({ outcome: 'met', fired: [{ condition: `http=http://127.0.0.1:${port}/health`, detail: 'HTTP 200' }] });
  });

  it('quiet=D: holds once the job stopped writing for D, after its last line', async () => {
    const id = await start(['--shell', 'for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.2; done; sleep 600']);
    const w = await waitJson([String(id), '--for', 'quiet=1s'], 0);
    expect(w.for?.outcome).toBe('met');
    // It held only after the ticks stopped: the last tick is in the output already.
    expect(w.for?.tails[0]?.lines.at(-1)).toBe('tick 6');
  });

  it('exit: the job ended (any way); the answer carries its own exit code', async () => {
    const id = await start(['--shell', 'echo working; sleep 1; exit 3']);
    const w = await waitJson([String(id), '--for', 'exit'], 0);
    expect(w.for).toMatchObject({ outcome: 'met', ended: null, fired: [{ job: id, condition: 'exit' }], timeoutMs: null });
    expect(w.jobs[0]?.state).toMatchObject({ kind: 'failed', exitCode: 3 });
  });

  it('ready: the readiness probe passed', async () => {
    const id = await start(['--ready-when', 'output=^up$', '--probe-interval', '200ms', '--shell', 'sleep 0.5; echo up; sleep 600']);
    const w = await waitJson([String(id), '--for', 'ready'], 0);
    expect(w.for).toMatchObject({ outcome: 'met', fired: [{ job: id, condition: 'ready' }] });
    expect(w.jobs[0]?.probes?.ready).not.toBeNull();
  });

  it('port-free=PORT needs no job: held while a job listens, free once the holder is killed', async () => {
    const port = await freePort();
    const holder = await start(['--', process.execPath, '-e', `require('net').createServer().listen(${port}, '127.0.0.1')`]);
    expectExit(await d.cli(['wait', String(holder), '--for', `listen=${port}`]), 0, 'wait for the holder to listen');
    const held = await waitJson(['--for', `port-free=${port}`, '--timeout', '1s'], 124);
    expect(held.for).toMatchObject({ outcome: 'timeout', fired: [], tails: [] });
    const waiting = d.cli(['wait', '--for', `port-free=${port}`, '--timeout', '30s']);
    expectExit(await d.cli(['kill', String(holder)]), 0, 'kill the holder');
    const r = await waiting;
    expectExit(r, 0, 'wait --for port-free');
    expect(r.stdout).toMatch(new RegExp(`^procd wait: port-free=${port}: nothing listens on ${port} \\(after \\S+\\)\\n$`));
  });
});

describe('procd wait --for: what else can happen', () => {
  it('a condition that never comes ends at the timeout with 124, the job still running, and its last 10 lines', async () => {
    const id = await start(['--shell', 'for i in $(seq 1 15); do echo line $i; done; sleep 600']);
    expectExit(await d.cli(['wait', String(id), '--for', 'output=^line 15$']), 0, 'wait for the lines');
    const r = await d.cli(['wait', String(id), '--for', 'output=never', '--timeout', '1s']);
    expectExit(r, 124, 'wait --for output=never --timeout 1s');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^procd wait: timed out after \\S+ waiting for output=never \\(job ${id} \\(wf\\d+\\) running\\)$`));
    expect(lines.slice(2)).toEqual(Array.from({ length: 10 }, (_, i) => `  line ${i + 6}`));
    const w = await waitJson([String(id), '--for', 'output=never', '--timeout', '500ms'], 124);
    expect(w).toMatchObject({ timedOut: true, for: { outcome: 'timeout', tails: [{ job: id, state: 'running', exitCode: null, truncated: false }] } });
    // The client sends what is left of its own deadline, so the daemon may see a millisecond or so less.
    expect(w.for?.timeoutMs).toBeGreaterThan(400);
    expect(w.for?.timeoutMs).toBeLessThanOrEqual(500);
  });

  it('a job that exits first is reported as such (exit 125), with its own exit code in the JSON and its last lines', async () => {
    const id = await start(['--shell', 'echo giving up >&2; sleep 0.5; exit 7']);
    const r = await d.cli(['wait', String(id), '--for', 'output=never']);
    expectExit(r, 125, 'wait --for output=never on a job that exits');
    expect(r.stdout).toMatch(new RegExp(`^procd wait: job ${id} \\(wf\\d+\\) failed, exit 7 before output=never held\\n--- job ${id} \\(wf\\d+\\), last 1 line:\\n  giving up\\n$`));
    const w = await waitJson([String(id), '--for', 'output=never'], 125);
    expect(w.for).toMatchObject({ outcome: 'ended', ended: { job: id, state: 'failed', exitCode: 7, signal: null, outcome: 'exit' }, tails: [{ job: id, exitCode: 7, lines: ['giving up'] }] });
  });

  it('--new ignores a line printed before the wait began; without it the line counts', async () => {
    const id = await start(['--shell', 'echo early-bird; sleep 600']);
    expectExit(await d.cli(['wait', String(id), '--for', 'output=early-bird']), 0, 'the line is there from the run start');
    const w = await waitJson([String(id), '--for', 'output=early-bird', '--new', '--timeout', '1500ms'], 124);
    expect(w.for?.outcome).toBe('timeout');
  });

  it('several jobs: the condition must hold for each; several --for: any of them, --all: all', async () => {
    const fast = await start(['--shell', 'echo ready; sleep 600']);
    const slow = await start(['--shell', 'sleep 1; echo ready; sleep 600']);
    const w = await waitJson([String(fast), String(slow), '--for', 'output=ready'], 0);
    expect(w.for?.fired.map((f) => f.job).sort()).toEqual([fast, slow].sort());
    const any = await waitJson([String(fast), '--for', 'output=nope', '--for', 'state=running'], 0);
    expect(any.for?.fired).toMatchObject([{ job: fast, condition: 'state=running' }]);
    const all = await waitJson([String(fast), '--for', 'output=nope', '--for', 'state=running', '--all', '--timeout', '1s'], 124);
    expect(all.for).toMatchObject({ outcome: 'timeout', all: true, fired: [{ condition: 'state=running' }] });
  });

  it('track --wait-for starts the job and waits in one call, with the same exit codes', async () => {
    const r = await d.cli(['track', '--name', 'tw', '--wait-for', 'output=^up$', '--', 'sh', '-c', 'sleep 0.5; echo up; sleep 600']);
    expectExit(r, 0, 'track --wait-for');
    expect(r.stdout).toMatch(/^procd track: output=\^up\$ for job \d+ \(tw\): up \(after \S+\)\n/);
    // A server that crashes before it answers: ended first, not the 5-minute default timeout.
    const port = await freePort();
    const ended = await d.cli(['track', '--name', 'tw2', '--json', '--wait-for', `http=http://127.0.0.1:${port}/`, '--', 'sh', '-c', 'echo crashing; exit 4']);
    expectExit(ended, 125, 'track --wait-for on a job that exits');
    expect(parseJson<WaitResult>(ended, 'track --wait-for').for).toMatchObject({ outcome: 'ended', ended: { exitCode: 4 }, tails: [{ lines: ['crashing'] }] });
  });

  it('bad input is refused with exit 2 and the fix; the daemon keeps answering', async () => {
    const id = await start(['--', 'sleep', '600']);
    const typo = await d.cli(['wait', String(id), '--for', 'lisen=3000']);
    expectExit(typo, 2, 'wait --for lisen=3000');
    expect(typo.stderr).toContain('did you mean `listen`?');
    const noJob = await d.cli(['wait', '--for', 'output=x']);
    expectExit(noJob, 2, 'wait --for output=x without a job');
    expect(noJob.stderr).toContain('is about a job; name one');
    const noProbe = await d.cli(['wait', String(id), '--for', 'ready']);
    expectExit(noProbe, 2, 'wait --for ready on a job without a readiness probe');
    expect(noProbe.stderr).toContain('has no readiness probe');
    expectExit(await d.cli(['wait', String(id), '--all']), 2, 'wait --all without --for');
    expectExit(await d.cli(['wait', String(id), '--for', 'port-free=70000']), 2, 'wait --for port-free=70000');
    expectExit(await d.cli(['ls']), 0, 'ls after the refusals');
  });

  it('track --wait-for with a condition that cannot be waited for starts nothing', async () => {
    const jobsNow = async () => parseJson<unknown[]>(await d.cli(['ls', '--all', '--json']), 'ls').length;
    const before = await jobsNow();
    for (const [condition, says] of [['lisen=3000', 'did you mean `listen`?'], ['ready', 'needs a readiness probe'], ['output=(a+)+$', 'refused']] as const) {
      const r = await d.cli(['track', '--json', '--wait-for', condition, '--', 'sleep', '600']);
      expectExit(r, 2, `track --wait-for ${condition}`);
      expect(r.stderr).toContain(says);
      expect(r.stderr).toContain('nothing was started');
    }
    expect(await jobsNow()).toBe(before);
  });
});
