// Puts the tool table (tools.ts) on an McpServer: JSON Schema for tools/list from the valibot
// schemas, annotations from `observes`, and every failure as a tool error the model can read (the
// daemon's error code and message), never a crash of the server.

import type { CallToolResult, McpServer } from '@modelcontextprotocol/server';
import { ProcdError } from '../../shared/errors.js';
import type { ProcdClient } from '../index.js';
import { withJsonSchema } from './json-schema.js';
import { mcpWording } from './mcp-wording.js';
import type { ToolDef } from './tool-def.js';

export function registerTools(server: McpServer, tools: readonly ToolDef[], client: () => Promise<ProcdClient>): void {
  for (const tool of tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: withJsonSchema(tool.input),
        ...(tool.output ? { outputSchema: withJsonSchema(tool.output) } : {}),
        annotations: { readOnlyHint: tool.observes, destructiveHint: !tool.observes, idempotentHint: tool.idempotent, openWorldHint: false },
      },
      async (args: unknown): Promise<CallToolResult> => {
        try {
          const answer = await tool.run(await client(), args ?? {}, { clientName: server.server.getClientVersion()?.name ?? null });
          return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.structured };
        } catch (err) {
          return errorResult(err);
        }
      },
    );
  }
}

/** A failed call as the model sees it: what went wrong, in the daemon's words, with its code. */
export function errorResult(err: unknown): CallToolResult {
  if (err instanceof ProcdError) {
    const data = Object.keys(err.data).length ? ` ${JSON.stringify(err.data)}` : '';
    return { isError: true, content: [{ type: 'text', text: `${mcpWording(err.message)} [${err.codeName} ${err.code}]${data}` }] };
  }
  process.stderr.write(`procd mcp: ${(err as Error).stack ?? String(err)}\n`);
  return { isError: true, content: [{ type: 'text', text: `procd mcp: ${(err as Error).message ?? String(err)}` }] };
}
