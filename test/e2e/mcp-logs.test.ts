// `procd mcp` as a new user met it (trial of issue 15's server): logs that said "(all of it)" over
// the last 100 lines of 589 KB, a search that answered "no output" before it reached the error
// line, errors that named CLI flags, and protocol details (error codes of resources/read, a
// read-only server's refusal, control characters in the list text). Real daemon, SDK client.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { openMcp, textOf, type McpSession } from './helpers/mcp.js';

const BIG = 'seq 1 100000; echo ERROR: EADDRINUSE :::3000 >&2; for i in 1 2 3 4 5; do echo same; done';
// 4.2 MB of output: more than one daemon read scans (4 MiB), the error line after all of it.
const HUGE = 'seq 1 620000; echo ERROR: EADDRINUSE :::3000 >&2';

let d: TestDaemon;
const sessions: McpSession[] = [];
const open = async (args: string[] = []) => {
  const s = await openMcp(d, args);
  sessions.push(s);
  return s;
};

beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  for (const s of sessions) await s.close().catch(() => undefined);
  await d?.cleanup();
});

async function ended(s: McpSession, name: string, shell: string): Promise<number> {
  const started = await s.call('start', { shell, name });
  expect(started.isError, textOf(started)).toBeFalsy();
  const waited = await s.call('wait', { jobs: [name], timeoutMs: 120_000 });
  expect(textOf(waited)).toMatch(/ended/);
  return (started.structuredContent!.jobs as { id: number }[])[0]!.id;
}

describe('procd mcp logs on long output', () => {
  it('the last 100 lines of 589 KB say so and how much came before, never "(all of it)"; the resource too', async () => {
    const s = await open();
    const id = await ended(s, 'big', BIG);
    const r = await s.call('logs', { job: 'big' });
    const text = textOf(r);
    expect(text.split('\n')[0]).toMatch(/^run 1, completed; last 100 line\(s\) \(\d+ earlier bytes not shown\)$/);
    expect(text).not.toMatch(/all of it/);
    expect(text).toMatch(/earlier bytes of output are not shown: read them with head/);
    expect(r.structuredContent).toMatchObject({ eof: true, toEnd: true, earlierBytes: expect.any(Number) });
    expect(r.structuredContent!.earlierBytes as number).toBeGreaterThan(580_000);
    const resource = await s.client.readResource({ uri: `procd://jobs/${id}/logs` });
    const rtext = (resource.contents[0] as { text: string }).text;
    expect(rtext.split('\n')[0]).toMatch(/last 100 line\(s\) \(\d+ earlier bytes not shown\)/);
    expect(rtext).not.toMatch(/all of it/);
    const small = await ended(s, 'small', 'echo one; echo two');
    expect(textOf(await s.call('logs', { job: small })).split('\n')[0]).toBe('run 1, completed; 2 line(s) (all of it)');
  });

  it('errors and grep read on past the daemon\'s 4 MiB read bound to the error line; a search not done yet says so, never "no output"', async () => {
    const s = await open();
    await ended(s, 'huge', HUGE);
    for (const args of [{ errors: true }, { grep: 'EADDRINUSE' }]) {
      // One call reaches it here; on a machine so busy that the call's time runs out first, its answer says how far it got and the cursor to go on from.
      let r = await s.call('logs', { job: 'huge', ...args });
      for (let calls = 1; /no match in the \d+ bytes scanned so far/.test(textOf(r)) && calls < 20; calls++) {
        expect(textOf(r)).toMatch(/call logs again with the same arguments and cursor "1\.\d+\.\d+" to continue/);
        r = await s.call('logs', { job: 'huge', ...args, cursor: r.structuredContent!.cursor });
      }
      const lines = textOf(r).split('\n');
      expect(lines[0]).toMatch(/^run 1, completed; 1 matching line\(s\) in the \d+ bytes scanned \((all of the output|to the end)\)$/);
      expect(lines[1]).toBe('ERROR: EADDRINUSE :::3000');
      expect(textOf(r)).not.toMatch(/no output/);
    }
  });
});

describe('procd mcp: errors and protocol details', () => {
  it('a wait for ready on a job without a probe names the MCP arguments, not CLI flags', async () => {
    const s = await open();
    await s.call('start', { shell: 'sleep 300', name: 'noready' });
    const r = await s.call('wait', { jobs: ['noready'], for: ['ready'] });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toMatch(/for \["listen=PORT"\]/);
    expect(textOf(r)).toMatch(/start it with ready/);
    expect(textOf(r)).not.toMatch(/--for|--ready-when/);
    await s.call('kill', { jobs: ['noready'] });
  });

  it('resources/read: a malformed id is invalid params, a missing job is resource not found (the SDK\'s -32602 with the uri)', async () => {
    const s = await open();
    const codeOf = (uri: string) => s.client.readResource({ uri }).then(() => null, (e: { code: number; message: string; data?: unknown }) => e);
    expect(await codeOf('procd://jobs/abc/logs')).toMatchObject({ code: -32602, message: expect.stringMatching(/not a job id: abc/) });
    expect(await codeOf('procd://jobs/99999/status')).toMatchObject({ code: -32602, data: { uri: 'procd://jobs/99999/status' }, message: expect.stringMatching(/no job with id 99999/) });
  });

  it('under --read-only a mutating tool is refused as such; the list text shows control characters escaped', async () => {
    const rw = await open();
    const started = await rw.call('start', { argv: ['sh', '-c', 'sleep 300', '\u001b[31mred'], name: 'esc' });
    expect(textOf(started)).toContain("'\\x1b[31mred'");
    const ro = await open(['--read-only']);
    const refused = await ro.call('start', { shell: 'true' }).then(
      (r) => textOf(r),
      (e: Error) => e.message,
    );
    expect(refused).toMatch(/Tool start is refused: this server runs read-only \(procd mcp --read-only\)/);
    const list = textOf(await ro.call('list', {}));
    expect(list).not.toContain('\u001b');
    expect(list).toContain('\\x1b[31mred');
    await rw.call('kill', { jobs: ['esc'] });
  });
});
