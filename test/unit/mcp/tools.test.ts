// The MCP tool table's mappings from tool arguments to method params, run against a fake client
// that records the call and answers the method table's own example results.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { MCP_LOGS_DEFAULTS } from '../../../shared/log-budget.js';
import { METHOD_SCHEMAS } from '../../../shared/schemas/methods.js';
import type { ProcdClient } from '../../../client/index.js';
import { toolListSnapshot } from '../../../client/mcp/serve.js';
import { MCP_WAIT_DEFAULT_MS, TOOLS, toolsFor } from '../../../client/mcp/tools.js';
import { mcpOwner } from '../../../client/mcp/owner.js';
import { cleanupText, waitText } from '../../../client/mcp/summaries.js';

const REPO = resolve(import.meta.dirname, '../../..');

/** Runs a tool with `args` (checked by its input schema first, as the SDK does) against a client that answers the method's example. */
async function runTool(name: string, args: Record<string, unknown>, clientName: string | null = null, reply?: unknown) {
  const tool = TOOLS.find((t) => t.name === name)!;
  const parsed = v.parse(tool.input, args);
  const calls: { method: string; params: Record<string, unknown> }[] = [];
  const client = {
    call: async (method: keyof typeof METHOD_SCHEMAS, params: Record<string, unknown>) => {
      calls.push({ method, params });
      return reply ?? METHOD_SCHEMAS[method].example.result;
    },
  } as unknown as ProcdClient;
  const answer = await tool.run(client, parsed, { clientName });
  return { calls, answer };
}

describe('MCP tools: arguments to method params', () => {
  it('start: cwd defaults to the server directory, env adds to its environment, ready becomes the readiness probe', async () => {
    process.env.PROCD_MCP_TEST_VAR = 'from-server';
    const { calls, answer } = await runTool('start', { argv: ['npm', 'run', 'dev'], env: { PORT: '3000' }, ready: 'output=listening', kind: 'service', name: 'web' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe('track');
    expect(calls[0]!.params).toMatchObject({ argv: ['npm', 'run', 'dev'], cwd: process.cwd(), kind: 'service', name: 'web', probes: { ready: { when: { kind: 'output', pattern: 'listening', flags: '' } } } });
    expect(calls[0]!.params.env).toMatchObject({ PORT: '3000', PROCD_MCP_TEST_VAR: 'from-server' });
    expect(answer.structured).toMatchObject({ jobs: [{ id: 3, state: 'running' }] });
    expect(answer.text).toMatch(/^started job 3 /);
  });

  it("start and adopt: the owner is the one given, else PROCD_OWNER, else this session's: the MCP client's name (printable, without its version) and a suffix of this server process; ensure passes through", async () => {
    const saved = process.env.PROCD_OWNER;
    try {
      delete process.env.PROCD_OWNER;
      const fromClient = await runTool('start', { argv: ['true'], ensure: true }, 'claude-code/2.1.0');
      expect(fromClient.calls[0]!.params).toMatchObject({ ensure: true });
      const session = fromClient.calls[0]!.params.owner as string;
      // Two sessions of one client are two owners: cleanup by one never stops the other's jobs.
      expect(session).toMatch(/^claude-code-[0-9a-f]{6}$/);
      // The agent reads the owner to clean up with in the answer's text too.
      const owned = await runTool('start', { argv: ['true'] }, 'claude-code', { ...METHOD_SCHEMAS.track.example.result, owner: { name: session, pid: 1, parentName: null } });
      expect(owned.answer.text).toContain(`(owner ${session})`);
      expect(owned.answer.structured).toMatchObject({ jobs: [{ owner: session }] });
      expect(mcpOwner(undefined, {}, 'claude-code/2.1.0', 'aaaaaa')).not.toBe(mcpOwner(undefined, {}, 'claude-code/2.1.0', 'bbbbbb'));
      const adopted = await runTool('adopt', { pid: 4242 }, 'claude-code/2.1.0');
      expect(adopted.calls[0]!.params).toMatchObject({ pid: 4242, owner: session, callerPid: process.pid });
      const hostile = await runTool('start', { argv: ['true'] }, 'agent\u0007\nx');
      expect(hostile.calls[0]!.params.owner).toMatch(/^agentx-[0-9a-f]{6}$/);
      const none = await runTool('start', { argv: ['true'] }, null);
      expect(none.calls[0]!.params).not.toHaveProperty('owner');
      process.env.PROCD_OWNER = 'session-42';
      const fromEnv = await runTool('start', { argv: ['true'] }, 'claude-code');
      expect(fromEnv.calls[0]!.params.owner).toBe('session-42');
      const given = await runTool('start', { argv: ['true'], owner: 'me' }, 'claude-code');
      expect(given.calls[0]!.params.owner).toBe('me');
    } finally {
      if (saved === undefined) delete process.env.PROCD_OWNER;
      else process.env.PROCD_OWNER = saved;
    }
  });

  it("cleanup's summary names the live jobs it stopped for an owner first", () => {
    const base = { dryRun: false, leftovers: { jobs: [], pids: [], signalled: [], forced: [] }, zombies: [], reapedParents: [], pruned: [] };
    const stopped = [{ ref: 5, ok: true as const, id: 5, state: 'running' as const, signal: 'SIGTERM', signalled: [51], forced: [] }];
    expect(cleanupText({ ...base, stopped })).toMatch(/^live jobs: job 5: stopped; stopped 0 leftover/);
    expect(cleanupText({ ...base, stopped: [] })).toMatch(/^no live job of that owner; /);
    expect(cleanupText(base)).toMatch(/^stopped 0 leftover/);
    const dry = { ...base, dryRun: true, wouldStop: [{ id: 7, name: 'srv', state: 'running' as const }] };
    expect(cleanupText(dry)).toMatch(/^would stop live jobs: job 7 srv \(running\); would stop 0 leftover/);
  });

  it('wait: always a timeout (default and bounded), never none', async () => {
    const { calls } = await runTool('wait', { jobs: ['web'], for: ['ready'] });
    expect(calls[0]!.params).toEqual({ jobs: ['web'], for: [{ kind: 'ready' }], timeoutMs: MCP_WAIT_DEFAULT_MS });
    expect(() => v.parse(TOOLS.find((t) => t.name === 'wait')!.input, { jobs: ['web'], timeoutMs: null })).toThrow();
    expect(() => v.parse(TOOLS.find((t) => t.name === 'wait')!.input, { jobs: ['web'], timeoutMs: 3_600_000 })).toThrow();
  });

  it("logs: the agent's budget by default (tail 100, 16 KiB, collapse); a search or a cursor reads without the tail", async () => {
    const plain = await runTool('logs', { job: 3 });
    expect(plain.calls[0]!.params).toEqual({ job: 3, tailLines: MCP_LOGS_DEFAULTS.tailLines, lines: { maxBytes: 16 * 1024, collapse: true } });
    const grep = await runTool('logs', { job: 3, grep: 'error', context: 2 });
    expect(grep.calls[0]!.params).toEqual({ job: 3, lines: { maxBytes: 16 * 1024, collapse: true, grep: 'error', context: 2 } });
    const more = await runTool('logs', { job: 3, cursor: '1.2048.0', maxBytes: 4096, collapse: false });
    expect(more.calls[0]!.params).toEqual({ job: 3, cursor: { run: 1, stdout: 2048, stderr: 0 }, lines: { maxBytes: 4096, collapse: false } });
    // The example answer is a raw read of a running job: the answer says how to see new output.
    expect(plain.answer.structured).toMatchObject({ cursor: '1.23.0', eof: false });
    expect(plain.answer.text).toContain('cursor "1.23.0"');
  });

  it('adopt sends the server as the caller (its ancestors are refused unless force); kill and restart answer an object', async () => {
    const adopt = await runTool('adopt', { pid: 5120 });
    expect(adopt.calls[0]!.params).toEqual({ pid: 5120, callerPid: process.pid });
    const kill = await runTool('kill', { jobs: [3] });
    expect(kill.answer.structured).toMatchObject({ results: [{ ok: true }, { ok: false }] });
    expect(kill.answer.text.split('\n')).toHaveLength(2);
    // kill by port: the server is the caller only when it may adopt (its ancestors are refused).
    expect((await runTool('kill', { port: 3000 })).calls[0]!.params).toEqual({ port: 3000 });
    expect((await runTool('kill', { port: 3000, adopt: true })).calls[0]!.params).toEqual({ port: 3000, adopt: true, callerPid: process.pid });
    expect(() => v.parse(TOOLS.find((t) => t.name === 'kill')!.input, { port: 3000, callerPid: 1 })).toThrow();
  });

  it('ports: the rows as structured content, one line per socket with its job or its pid and command', async () => {
    const ports = await runTool('ports', {});
    expect(ports.calls[0]).toEqual({ method: 'ports', params: {} });
    expect(ports.answer.structured).toMatchObject({ ports: [{ port: 3000, job: { id: 3 } }, { port: 5432, job: null }] });
    expect(ports.answer.text.split('\n')).toEqual(['3000/tcp :: job 3 (web)', '5432/tcp 127.0.0.1 pid 2210 postgres -D /home/me/pg']);
  });

  it('--read-only keeps exactly the observing tools', () => {
    expect(toolsFor(true).map((t) => t.name)).toEqual(['list', 'status', 'logs', 'wait', 'analyze', 'ports']);
    expect(toolsFor(false)).toBe(TOOLS);
  });
});

describe('docs/mcp-tools.json', () => {
  it('is the tool list as the server shows it (run `npm run docs` after changing a tool or a method schema it uses)', () => {
    expect(JSON.parse(readFileSync(join(REPO, 'docs/mcp-tools.json'), 'utf8'))).toEqual(toolListSnapshot());
  });
});

describe('MCP tools: text summaries', () => {
  it('status says the job, its resources now and its output in a few lines', async () => {
    const { answer } = await runTool('status', { job: 'web' });
    const lines = answer.text.split('\n');
    expect(lines[0]).toMatch(/^job 3 "web": running \(pid \d+\)/);
    expect(answer.text).toMatch(/output: \d+ bytes/);
    expect(lines.length).toBeLessThan(10);
  });

  it("wait: a job's name and a condition's detail come escaped (a newline in them cannot forge a line of the answer)", () => {
    const base = { jobs: [], timedOut: false };
    const met = waitText({ ...base, for: { outcome: 'met', all: false, conditions: ['output'], waitedMs: 5, timeoutMs: null, fired: [{ job: 1, name: 'a\nb', condition: 'output=ok', detail: 'line "ok\nfake line\u001b[2J"', at: 0 }], ended: null, tails: [] } });
    expect(met.split('\n')).toEqual(['condition met: output=ok (a\\nb): line "ok\\nfake line\\x1b[2J"']);
    const ended = waitText({ ...base, for: { outcome: 'ended', all: false, conditions: ['output'], waitedMs: 5, timeoutMs: null, fired: [], ended: { job: 2, name: 'x\ny', state: 'failed', exitCode: 1, signal: null, outcome: 'failed' }, tails: [] } });
    expect(ended.split('\n')).toEqual(['job 2 "x\\ny" ended first: failed, exit code 1']);
  });
});
