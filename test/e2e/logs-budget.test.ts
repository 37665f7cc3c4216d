// Logs for a context budget: a real job printing known lines, read through the CLI and the RPC with
// --grep/--context, --collapse, --head, --max-bytes and --since-cursor; a scan bound that splits a
// big log into windows loses and repeats nothing; a hazardous regex is refused and the daemon goes on.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MCP_LOGS_DEFAULTS, MIN_SCAN_BYTES, parseCursor, repeatSuffix } from '../../shared/log-budget.js';
import type { LogsResult, ParamsOf } from '../../shared/methods.js';
import type { ProcdClient } from '../../client/index.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  await d?.cleanup();
});

/** A finished job whose stdout is `lines`, one per line. */
async function finishedJob(lines: string[]): Promise<number> {
  const job = await trackJob(d, ['--', 'node', '-e', `process.stdout.write(${JSON.stringify(lines.map((l) => `${l}\n`).join(''))})`]);
  await waitForEnd(d, job.id);
  return job.id;
}

const numbered = (n: number, mark: (i: number) => string | null = () => null) => Array.from({ length: n }, (_, k) => mark(k + 1) ?? `line ${k + 1}`);

describe('procd logs within a budget', () => {
  it('--grep with --context shows each match with its neighbours and `--` between groups', async () => {
    const id = await finishedJob(numbered(30, (i) => (i % 10 === 0 ? `ERROR at ${i}` : null)));
    const r = await d.cli(['logs', String(id), '--grep', 'error', '-i', '-C', '1']);
    expectExit(r, 0, 'logs --grep');
    expect(r.stdout).toBe(['line 9', 'ERROR at 10', 'line 11', '--', 'line 19', 'ERROR at 20', 'line 21', '--', 'line 29', 'ERROR at 30', ''].join('\n'));
    expect(r.stderr).toBe('');
  });

  it('--errors keeps the lines that show an error signature by themselves (with --grep: both)', async () => {
    const id = await finishedJob([
      'server starting',
      'Error: listen EADDRINUSE: address already in use :::3000',
      '0 errors, 2 warnings',
      "ModuleNotFoundError: No module named 'yaml'",
      'npm error code ELIFECYCLE',
      'Node.js v20.20.2',
      'done',
    ]);
    const r = await d.cli(['logs', String(id), '--errors']);
    expectExit(r, 0, 'logs --errors');
    expect(r.stdout).toBe(['Error: listen EADDRINUSE: address already in use :::3000', "ModuleNotFoundError: No module named 'yaml'", 'npm error code ELIFECYCLE', ''].join('\n'));
    const both = await d.cli(['logs', String(id), '--errors', '--grep', 'npm']);
    expect(both.stdout).toBe('npm error code ELIFECYCLE\n');
  });

  it('--collapse counts a run of identical lines once', async () => {
    const id = await finishedJob(['start', ...Array<string>(57).fill('connection refused, retrying'), 'done']);
    const r = await d.cli(['logs', String(id), '--collapse']);
    expectExit(r, 0, 'logs --collapse');
    expect(r.stdout).toBe(`start\nconnection refused, retrying${repeatSuffix(57)}\ndone\n`);
  });

  it('--max-bytes cuts at a line boundary and says what it left out; --since-cursor reads on from there and gets the rest', async () => {
    const all = numbered(200);
    const id = await finishedJob(all);
    const first = await d.cli(['logs', String(id), '--max-bytes', '300']);
    expectExit(first, 0, 'logs --max-bytes');
    expect(first.stdout.length).toBeLessThanOrEqual(300);
    expect(first.stdout.endsWith('\n')).toBe(true);
    const shown = first.stdout.split('\n').slice(0, -1);
    expect(shown).toEqual(all.slice(0, shown.length));
    const rest = all.slice(shown.length);
    const note = /^procd logs: cut at --max-bytes 300: (\d+) more lines \((\d+) bytes\) left out; read on with --since-cursor (\S+)\n$/.exec(first.stderr);
    expect(note, first.stderr).not.toBeNull();
    expect(Number(note![1])).toBe(rest.length);
    expect(Number(note![2])).toBe(Buffer.byteLength(rest.map((l) => `${l}\n`).join('')));
    const more = await d.cli(['logs', String(id), '--since-cursor', note![3]!]);
    expectExit(more, 0, 'logs --since-cursor');
    expect(more.stdout).toBe(rest.map((l) => `${l}\n`).join(''));
    // The next cursor: at the end of the output, where a read gives nothing more.
    const next = /^procd logs: next: --since-cursor (\S+)\n$/.exec(more.stderr)![1]!;
    expect(parseCursor(next)?.stdout).toBe(Buffer.byteLength(all.map((l) => `${l}\n`).join('')));
    expect((await d.cli(['logs', String(id), '--since-cursor', next])).stdout).toBe('');
  });

  it('--head N: the first N lines of what the filters choose, with the cursor of the next', async () => {
    const id = await finishedJob(numbered(50, (i) => (i % 5 === 0 ? `warn ${i}` : null)));
    const r = await d.cli(['logs', String(id), '--grep', '^warn', '--head', '3', '--json']);
    expectExit(r, 0, 'logs --head --json');
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.slice(0, 3).map((l) => l.text)).toEqual(['warn 5', 'warn 10', 'warn 15']);
    expect(out[3]).toMatchObject({ cut: { by: 'head', lines: 7 }, eof: false });
    const more = await d.cli(['logs', String(id), '--grep', '^warn', '--since-cursor', String(out[3]!.cursor)]);
    expect(more.stdout.split('\n').slice(0, -1)).toEqual(['warn 20', 'warn 25', 'warn 30', 'warn 35', 'warn 40', 'warn 45', 'warn 50']);
  });

  it('a scan bound splits a big log into windows: read on from each cursor, the matches and their context come out as from one read', async () => {
    // ~3 MiB of 100-byte lines, a match every 997 lines with 2 lines of context. The first 1 MiB
    // window holds lines 1..10485 whole (10485 × 100 bytes): a match on its last line has its
    // after-context in the next window.
    const script = 'let s="";for(let i=1;i<=31000;i++){s+=((i%997===0||i===10485?"MATCH ":"n ")+i).padEnd(99,".")+"\\n";}process.stdout.write(s)';
    const job = await trackJob(d, ['--', 'node', '-e', script]);
    await waitForEnd(d, job.id);
    const c = await d.client();
    const lines = { grep: '^MATCH', context: 2, maxScanBytes: MIN_SCAN_BYTES };
    const whole = await c.logs({ job: job.id, lines: { ...lines, maxScanBytes: 8 << 20 } });
    expect(whole.lines!.scan.limited).toBe(false);
    const windows = await readAll(c, { job: job.id, lines });
    expect(windows.length).toBeGreaterThanOrEqual(3);
    expect(windows.slice(0, -1).every((r) => r.lines!.scan.limited)).toBe(true);
    // A `--` first in a later window stands between groups; first of all it is dropped (as the CLI does).
    const text = (rs: LogsResult[]) => rs.flatMap((r) => r.lines!.items.map((i) => (i.kind === 'gap' ? '--' : i.text))).filter((t, k) => k > 0 || t !== '--');
    expect(text(windows)).toEqual(text([whole]));
    expect(text([whole]).filter((t) => t.startsWith('MATCH'))).toHaveLength(32);
    expect(text(windows)).toContain(`${'n 10487'.padEnd(99, '.')}`);
  });

  it('--follow --grep --head 1 waits for the first matching line and ends there', async () => {
    const gate = join(d.home, 'gate');
    const job = await trackJob(d, ['--', 'sh', '-c', 'echo starting; while [ ! -e "$1" ]; do sleep 0.05; done; echo noise; echo "listening on 4000"; echo "listening again"; sleep 30', 'sh', gate]);
    const follow = d.cli(['logs', String(job.id), '-f', '--grep', 'listening', '--head', '1'], { timeoutMs: 60_000 });
    // The line comes once the job has written something else: by then the follower is most likely
    // waiting on a read that found no match (either way it must print the line and stop there).
    await waitFor(async () => (await (await d.client()).logs({ job: job.id })).chunks.length > 0, { what: 'the job to start writing' });
    writeFileSync(gate, '');
    const r = await follow;
    expectExit(r, 0, 'logs -f --grep --head 1');
    expect(r.stdout).toBe('listening on 4000\n');
    await d.cli(['kill', String(job.id)]);
  });

  it('the MCP defaults keep a long tail within 16 KiB, collapsed, and the cursor reads on to the end of it', async () => {
    const long = (i: number) => `${String(i).padStart(4, '0')} ${'y'.repeat(295)}`;
    const id = await finishedJob([...numbered(400, long), ...Array<string>(40).fill('same')]);
    const c = await d.client();
    const r = await c.logs({ job: id, ...MCP_LOGS_DEFAULTS });
    const printed = r.lines!.items.map((i) => (i.kind === 'line' ? `${i.text}${i.count > 1 ? repeatSuffix(i.count) : ''}\n` : '--\n')).join('');
    expect(Buffer.byteLength(printed)).toBeLessThanOrEqual(MCP_LOGS_DEFAULTS.lines.maxBytes);
    // The last 100 lines are lines 341..400 and 40 × "same": the first 54 fit.
    expect(r.lines!.items[0]).toMatchObject({ text: long(341) });
    expect(r.lines!.cut).toMatchObject({ by: 'maxBytes' });
    const rest = await c.logs({ job: id, cursor: r.cursor, lines: MCP_LOGS_DEFAULTS.lines });
    const texts = [...r.lines!.items, ...rest.lines!.items].map((i) => (i.kind === 'line' ? [i.text, i.count] : null));
    expect(texts).toEqual([...numbered(60, (i) => long(340 + i)).map((t) => [t, 1]), ['same', 40]]);
    expect(rest.eof).toBe(true);
  });

  it('refuses a hazardous or invalid regex with InvalidParams, and bad budgets as usage errors; the daemon keeps answering', async () => {
    const id = await finishedJob(['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!']);
    const c = await d.client();
    await expect(c.logs({ job: id, lines: { grep: '(a+)+$' } })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/params\.lines\.grep: refused repetition of a group that holds unbounded repetition/) });
    await expect(c.logs({ job: id, lines: { grep: '(' } })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/not a valid regular expression/) });
    await expect(c.logs({ job: id, lines: { context: 2 } })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/context needs grep/) });
    await expect(c.logs({ job: id, cursor: { stdout: 10_000, stderr: 0, run: 1 } })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/params\.cursor: it points past the end/) });
    const cli = await d.cli(['logs', String(id), '--grep', '(\\w*,)*x']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/InvalidParams/);
    for (const args of [['--max-bytes', '0'], ['--head', '0'], ['--context', '1'], ['--since-cursor', 'nope'], ['-f', '--collapse']]) {
      const r = await d.cli(['logs', String(id), ...args]);
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect((await c.logs({ job: id, lines: { grep: 'a+!' } })).lines!.items).toHaveLength(1);
    expect((await c.hello({})).pid).toBeGreaterThan(0);
  });
});

/** Every window of a filtered read, each from the cursor the one before gave, until the output's end. */
async function readAll(c: ProcdClient, params: ParamsOf<'logs'>): Promise<LogsResult[]> {
  const out: LogsResult[] = [];
  let cursor: LogsResult['cursor'] | undefined;
  for (let i = 0; i < 100; i++) {
    const r = await c.logs({ ...params, ...(cursor ? { cursor } : {}) });
    out.push(r);
    if (r.eof) return out;
    cursor = r.cursor;
  }
  throw new Error('no end after 100 windows');
}
