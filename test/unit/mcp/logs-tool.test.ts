// The MCP logs tool's answer (new-user trial): "(all of it)" only when the whole output was shown,
// never after the default tail left earlier output out (decided from where the daemon's read began,
// not from how many lines came back); a search whose reads stop early with nothing reads on from
// the cursor (as the CLI does) and, if it still has nothing, says so instead of "no output".

import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import type { ProcdClient } from '../../../client/index.js';
import { logsAnswer, logsText, readLogs, type LogsArgs } from '../../../client/mcp/logs-tool.js';
import { TOOLS } from '../../../client/mcp/tools.js';
import type { LogsResult } from '../../../shared/methods.js';

type Lines = NonNullable<LogsResult['lines']>;
const line = (text: string, count = 1): Lines['items'][number] => ({ kind: 'line', stream: 'stdout', text, at: null, count, matched: false });

function result(over: { items?: Lines['items']; from?: { stdout: number; stderr: number }; bytes?: number; limited?: boolean; cursor?: number; eof?: boolean }): LogsResult {
  return {
    chunks: [],
    run: 1,
    cursor: { run: 1, stdout: over.cursor ?? 588_946, stderr: 26 },
    eof: over.eof ?? !over.limited,
    dropped: { stdout: 0, stderr: 0 },
    state: 'completed',
    lines: { items: over.items ?? [], cut: null, scan: { bytes: over.bytes ?? 0, limited: over.limited ?? false, ...(over.from ? { from: over.from } : {}) } },
  };
}

const tail96 = [...Array.from({ length: 95 }, (_, i) => line(String(99_907 + i))), line('same', 5)];
const text = (r: LogsResult, a: LogsArgs) => logsText(logsAnswer({ r, scanned: r.lines!.scan.bytes, from: r.lines!.scan.from ?? null }, a), a);

describe('MCP logs: what the lines are', () => {
  it('the default tail of a long output says it is the last lines and how much came before, never "all of it"', () => {
    const t = text(result({ items: tail96, from: { stdout: 588_440, stderr: 0 }, bytes: 532 }), { job: 'big' });
    expect(t.split('\n')[0]).toBe('run 1, completed; last 100 line(s) (588440 earlier bytes not shown)');
    expect(t).not.toMatch(/all of it/);
    expect(t).toMatch(/588440 earlier bytes of output are not shown: read them with head .*cursor "1\.0\.0"/);
  });

  it('a short output read from its start is "all of it"; a daemon that does not say where it began never is', () => {
    expect(text(result({ items: [line('a'), line('b')], from: { stdout: 0, stderr: 0 }, bytes: 4 }), { job: 1 }).split('\n')[0]).toBe('run 1, completed; 2 line(s) (all of it)');
    const unknown = text(result({ items: [line('a')], bytes: 2 }), { job: 1 });
    expect(unknown).not.toMatch(/all of it/);
    expect(unknown).toMatch(/earlier output may exist/);
  });

  it('a search that found nothing yet says how much it scanned and how to continue, not "no output"', () => {
    const t = text(result({ from: { stdout: 0, stderr: 0 }, bytes: 49_800, limited: true, cursor: 49_800 }), { job: 'big', errors: true });
    expect(t.split('\n')[0]).toBe('run 1, completed; no match in the 49800 bytes scanned so far');
    expect(t).toMatch(/call logs again with the same arguments and cursor "1\.49800\.26" to continue/);
    expect(t).not.toMatch(/no output/);
  });
});

describe('MCP logs: a search reads on while its reads stop early with nothing', () => {
  it('follows the cursor from read to read until a line comes, adding up what was scanned', async () => {
    const answers = [
      result({ from: { stdout: 0, stderr: 0 }, bytes: 49_800, limited: true, cursor: 49_800 }),
      result({ from: { stdout: 49_800, stderr: 0 }, bytes: 12_000, limited: true, cursor: 61_800 }),
      result({ from: { stdout: 61_800, stderr: 0 }, items: [line('ERROR: EADDRINUSE :::3000')], bytes: 527_146 }),
    ];
    const sent: Record<string, unknown>[] = [];
    const client = { call: async (_m: string, p: Record<string, unknown>) => (sent.push(p), answers.shift()!) } as unknown as ProcdClient;
    const tool = TOOLS.find((t) => t.name === 'logs')!;
    const args = v.parse(tool.input, { job: 'big', errors: true });
    const answer = await tool.run(client, args, { clientName: null });
    expect(sent.map((p) => p.cursor)).toEqual([undefined, { run: 1, stdout: 49_800, stderr: 26 }, { run: 1, stdout: 61_800, stderr: 26 }]);
    expect(answer.text.split('\n').slice(0, 2)).toEqual(['run 1, completed; 1 matching line(s) in the 588946 bytes scanned (all of the output)', 'ERROR: EADDRINUSE :::3000']);
  });

  it('stops after its time budget with what it has, and never reads on past a cut or the end', async () => {
    let clock = 0;
    let calls = 0;
    const client = { call: async () => ((calls += 1), (clock += 400), result({ from: { stdout: 0, stderr: 0 }, bytes: 100, limited: true, cursor: 100 * calls })) } as unknown as ProcdClient;
    const read = await readLogs(client, { job: 1, lines: { errors: true } }, 2_000, () => clock);
    // Reads at 400, 800, … 2000: the one that ends at the budget is the last.
    expect(calls).toBe(5);
    expect(read.scanned).toBe(500);
    calls = 0;
    await readLogs(client, { job: 1, lines: { errors: true } }, 0, () => clock);
    expect(calls).toBe(1);
    const ended = result({ bytes: 100 });
    const cut = { ...result({ items: [line('x')], bytes: 100, limited: true }) };
    cut.lines!.cut = { by: 'maxBytes', lines: 3, bytes: 30 };
    for (const last of [ended, cut]) {
      const one = { call: async () => ((calls += 1), last) } as unknown as ProcdClient;
      calls = 0;
      await readLogs(one, { job: 1, lines: { errors: true } }, 60_000);
      expect(calls).toBe(1);
    }
  });
});
