// `procd mcp` end to end (issue 15 §1): the SDK's own client spawns the server over stdio against a
// real daemon in a temp home: the tool list (checked against docs/mcp-tools.json and a JSON Schema
// validator), the agent's flow (start a server, wait for readiness, read its logs, kill it),
// read-only mode, and resources with update notifications in both protocol eras.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from '@modelcontextprotocol/client/validators/ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { REPO, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { openMcp, textOf, type McpSession } from './helpers/mcp.js';

const SERVER = "const s=require('http').createServer((q,r)=>r.end('ok'));s.listen(0,'127.0.0.1',()=>console.log('listening on '+s.address().port))";
const TICKER = "let n=0;setInterval(()=>console.log('tick '+(++n)),200)";
const OBSERVING = ['list', 'status', 'logs', 'wait', 'analyze', 'ports'];

let d: TestDaemon;
const sessions: McpSession[] = [];
const open = async (...a: Parameters<typeof openMcp> extends [unknown, ...infer R] ? R : never) => {
  const s = await openMcp(d, ...a);
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

describe('procd mcp: the tool list', () => {
  it('lists every tool as docs/mcp-tools.json has it (regenerate with `npm run docs`), each input schema a valid JSON Schema', async () => {
    const s = await open();
    const { tools } = await s.client.listTools();
    const snapshot = JSON.parse(readFileSync(join(REPO, 'docs/mcp-tools.json'), 'utf8')) as { tools: { name: string; description: string; inputSchema: unknown; outputSchema?: unknown }[] };
    expect(tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema, ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}) }))).toEqual(
      snapshot.tools.map(({ name, description, inputSchema, outputSchema }) => ({ name, description, inputSchema, ...(outputSchema ? { outputSchema } : {}) })),
    );
    expect(tools.map((t) => t.name).sort()).toEqual(['adopt', 'analyze', 'cleanup', 'kill', 'list', 'logs', 'ports', 'restart', 'signal', 'start', 'status', 'wait']);
    const ajv = new Ajv({ strict: false });
    for (const t of tools) {
      expect(ajv.validateSchema(t.inputSchema), `${t.name}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
      ajv.compile(t.inputSchema);
      if (t.outputSchema) ajv.compile(t.outputSchema);
      expect(t.description?.length ?? 0, t.name).toBeGreaterThan(150);
    }
    const start = ajv.compile(tools.find((t) => t.name === 'start')!.inputSchema);
    expect(start({ argv: ['npm', 'run', 'dev'], kind: 'service', ready: 'output=listening' })).toBe(true);
    expect(start({ argv: ['x'], bogus: 1 })).toBe(false);
  });
});

describe('procd mcp: an agent starts a server, waits for it, reads its logs and stops it', () => {
  it('start → wait ready → logs → kill, with structured answers and text summaries', async () => {
    const s = await open();
    const started = await s.call('start', { argv: [process.execPath, '-e', SERVER], name: 'web', kind: 'service', ready: 'output=listening' });
    expect(started.isError, textOf(started)).toBeFalsy();
    const job = (started.structuredContent!.jobs as { id: number; name: string; kind: string }[])[0]!;
    expect(job).toMatchObject({ name: 'web', kind: 'service' });
    expect(textOf(started)).toContain(`job ${job.id} "web"`);

    const waited = await s.call('wait', { jobs: ['web'], for: ['ready'] });
    expect(waited.isError, textOf(waited)).toBeFalsy();
    expect(waited.structuredContent!.for).toMatchObject({ outcome: 'met' });
    expect(textOf(waited)).toMatch(/^condition met: ready/);

    const logs = await s.call('logs', { job: job.id });
    expect(logs.isError, textOf(logs)).toBeFalsy();
    const lines = logs.structuredContent!.lines as { text: string }[];
    expect(lines.map((l) => l.text)).toEqual([expect.stringMatching(/^listening on \d+$/)]);
    expect(logs.structuredContent!.cursor).toMatch(/^1\.\d+\.\d+$/);
    expect(textOf(logs)).toMatch(/listening on \d+/);
    expect(textOf(logs)).toContain(`cursor "${String(logs.structuredContent!.cursor)}"`);

    const killed = await s.call('kill', { jobs: [job.id] });
    expect(killed.isError, textOf(killed)).toBeFalsy();
    expect(killed.structuredContent!.results).toEqual([expect.objectContaining({ ok: true, id: job.id, state: 'killed' })]);
    const status = await s.call('status', { job: job.id });
    expect(status.structuredContent).toMatchObject({ id: job.id, state: { kind: 'killed' } });
  });

  it('a wait in MCP always ends: a condition that never comes answers timeout (with what it waited for) and the job keeps running', async () => {
    const s = await open();
    const started = await s.call('start', { argv: [process.execPath, '-e', TICKER], name: 'quiet-never' });
    const id = (started.structuredContent!.jobs as { id: number }[])[0]!.id;
    const waited = await s.call('wait', { jobs: [id], for: ['output=never-printed'], timeoutMs: 1500 });
    // The client library sends a reconnect-safe wait as what is left of its deadline: 1500 or a hair less.
    const waitedFor = waited.structuredContent!.for as { outcome: string; timeoutMs: number };
    expect(waitedFor.outcome).toBe('timeout');
    expect(waitedFor.timeoutMs).toBeGreaterThan(0);
    expect(waitedFor.timeoutMs).toBeLessThanOrEqual(1500);
    expect(textOf(waited)).toContain('call wait again');
    // A plain wait (no `for`) that the daemon would let run forever is bounded here too.
    const plain = await s.call('wait', { jobs: [id], timeoutMs: 1000 });
    expect(plain.structuredContent).toMatchObject({ timedOut: true });
    const after = await s.call('status', { job: id });
    expect(after.structuredContent).toMatchObject({ state: { kind: 'running' } });
    await s.call('kill', { jobs: [id] });
  });

  it('a bad argument and a daemon error come back as tool errors the model can read; the server keeps serving', async () => {
    const s = await open();
    const bad = await s.call('start', { argv: ['x'], kind: 'daemonized' });
    expect(bad.isError).toBe(true);
    const missing = await s.call('status', { job: 'no-such-job' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/JobNotFound/);
    const list = await s.call('list', {});
    expect(list.isError).toBeFalsy();
  });
});

describe('procd mcp --read-only', () => {
  it('offers only the observing tools and refuses a mutation: the job keeps running', async () => {
    const rw = await open();
    const started = await rw.call('start', { argv: [process.execPath, '-e', TICKER], name: 'ro-target' });
    const id = (started.structuredContent!.jobs as { id: number }[])[0]!.id;
    const ro = await open(['--read-only']);
    const { tools } = await ro.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...OBSERVING].sort());
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    expect(ro.client.getInstructions()).toMatch(/read-only/);
    const refused = await ro.call('kill', { jobs: [id] }).then(
      (r) => ({ isError: r.isError === true, text: textOf(r) }),
      (e: Error) => ({ isError: true, text: e.message }),
    );
    expect(refused).toMatchObject({ isError: true, text: expect.stringMatching(/kill/) });
    const status = await ro.call('status', { job: id });
    expect(status.structuredContent).toMatchObject({ state: { kind: 'running' } });
    await rw.call('kill', { jobs: [id] });
  });
});

describe('procd mcp: resources and update notifications', () => {
  for (const era of ['legacy', 'modern'] as const) {
    it(`reads a job's status and logs, and is told when they change (${era} protocol)`, async () => {
      const s = await open([], { era });
      if (era === 'modern') expect(s.client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      else expect(s.client.getNegotiatedProtocolVersion()).toMatch(/^2025-/);
      const updated: string[] = [];
      s.client.setNotificationHandler('notifications/resources/updated', (n) => {
        updated.push(n.params.uri);
      });
      const started = await s.call('start', { argv: [process.execPath, '-e', TICKER], name: `ticker-${era}` });
      const id = (started.structuredContent!.jobs as { id: number }[])[0]!.id;
      const statusUri = `procd://jobs/${id}/status`;
      const logsUri = `procd://jobs/${id}/logs`;
      const read = await s.client.readResource({ uri: statusUri });
      expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ id, name: `ticker-${era}` });
      const templates = await s.client.listResourceTemplates();
      expect(templates.resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(['procd://jobs/{id}/logs', 'procd://jobs/{id}/status']);

      if (era === 'legacy') {
        await s.client.subscribeResource({ uri: statusUri });
        await s.client.subscribeResource({ uri: logsUri });
      } else {
        await s.client.listen({ resourceSubscriptions: [statusUri, logsUri] });
      }
      // The ticker prints every 200 ms: its log is announced without any read of ours.
      await waitFor(() => updated.includes(logsUri), { what: `a resources/updated for ${logsUri}`, timeoutMs: 20_000 });
      const logs = await s.client.readResource({ uri: logsUri });
      expect((logs.contents[0] as { text: string }).text).toMatch(/tick \d+/);
      await s.call('kill', { jobs: [id] });
      await waitFor(() => updated.includes(statusUri), { what: `a resources/updated for ${statusUri} after the kill`, timeoutMs: 20_000 });
    });
  }

  it('a log watched before its job exists is announced once the job starts writing', async () => {
    const s = await open();
    const updated: string[] = [];
    s.client.setNotificationHandler('notifications/resources/updated', (n) => {
      updated.push(n.params.uri);
    });
    const all = await s.call('list', { all: true });
    const next = Math.max(0, ...(all.structuredContent!.jobs as { id: number }[]).map((j) => j.id)) + 1;
    const logsUri = `procd://jobs/${next}/logs`;
    await s.client.subscribeResource({ uri: logsUri });
    const started = await s.call('start', { argv: [process.execPath, '-e', TICKER], name: 'ticker-later' });
    expect((started.structuredContent!.jobs as { id: number }[])[0]!.id).toBe(next);
    // One update when it starts, then more as its output comes (the reader that found no job reads again).
    await waitFor(() => updated.filter((u) => u === logsUri).length >= 3, { what: `three resources/updated for ${logsUri}`, timeoutMs: 20_000 });
    await s.call('kill', { jobs: [next] });
  });
});

describe('procd mcp: after the daemon is stopped', () => {
  it('never starts one itself, and follows the next daemon its user starts: a watched list is announced again without a new subscribe', async () => {
    const s = await open();
    const updated: string[] = [];
    s.client.setNotificationHandler('notifications/resources/updated', (n) => {
      updated.push(n.params.uri);
    });
    await s.client.subscribeResource({ uri: 'procd://jobs' });
    const first = await s.call('start', { argv: ['sleep', '300'], name: 'before-stop' });
    const firstId = (first.structuredContent!.jobs as { id: number }[])[0]!.id;
    await waitFor(() => updated.includes('procd://jobs'), { what: 'a resources/updated for procd://jobs', timeoutMs: 20_000 });

    const stopped = await d.cli(['daemon', 'stop'], { timeoutMs: 60_000 });
    expect(stopped.code, stopped.stderr).toBe(0);
    // The user starts the next daemon: it is theirs to start (the MCP server looked, and started none).
    const started = await d.cli(['daemon', 'start'], { timeoutMs: 60_000 });
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout + started.stderr).not.toMatch(/already running/i);
    updated.length = 0;
    // Once it follows the next daemon it announces what it watches (it may have changed meanwhile)…
    await waitFor(() => updated.includes('procd://jobs'), { what: 'a resources/updated for procd://jobs once the next daemon is followed', timeoutMs: 30_000 });
    updated.length = 0;
    // …and then that daemon's changes.
    const next = await d.cli(['track', '--name', 'after-start', '--', 'sleep', '300']);
    expect(next.code, next.stderr).toBe(0);
    await waitFor(() => updated.includes('procd://jobs'), { what: 'a resources/updated for procd://jobs from the next daemon', timeoutMs: 30_000 });
    expect(s.stderr()).not.toMatch(/autostart/i);
    await d.cli(['kill', String(firstId), 'after-start']);
  }, 120_000);
});
