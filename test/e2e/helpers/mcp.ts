// An MCP client (the SDK's own) talking to `procd mcp` over stdio, spawned from the built CLI with
// a test daemon's home. close() ends the server process (it exits when its stdin closes).

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { CLI, type TestDaemon } from './daemon.js';

export interface McpSession {
  client: Client;
  /** What the server wrote to stderr (stdout is MCP only). */
  stderr(): string;
  /** Calls a tool; the answer with its structured content typed loosely for assertions. */
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult & { structuredContent?: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function openMcp(d: TestDaemon, args: string[] = [], opts: { era?: 'legacy' | 'modern' } = {}): Promise<McpSession> {
  const env = Object.fromEntries(Object.entries(d.env).filter((e): e is [string, string] => e[1] !== undefined));
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', ...args], env, cwd: d.home, stderr: 'pipe' });
  let err = '';
  transport.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const client = new Client({ name: 'procd-e2e', version: '1.0.0' }, opts.era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {});
  await client.connect(transport);
  return {
    client,
    stderr: () => err,
    call: async (name, a) => (await client.callTool({ name, arguments: a }, { timeout: 120_000 })) as CallToolResult & { structuredContent?: Record<string, unknown> },
    close: () => client.close(),
  };
}

/** The text of a tool answer's first content item. */
export function textOf(r: CallToolResult): string {
  const first = r.content[0];
  return first && first.type === 'text' ? first.text : '';
}
