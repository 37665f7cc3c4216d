// The spec of `procd mcp` (issue 15): a CLI command with no daemon method of its own, which serves
// the Model Context Protocol on stdio (client/mcp/). Spread into CLI_ONLY_SPECS (cli-only.ts).

import type { CliSpec } from '../../shared/method-spec.js';

export const MCP_CLI_SPECS = {
  mcp: {
    command: 'mcp',
    positionals: null,
    brief: 'serve procd to AI agents over the Model Context Protocol (stdio)',
    summary:
      'Serve the Model Context Protocol on stdin/stdout for an AI agent (Claude Code, Cursor, …): tools to start, list, inspect, wait for, read the output of and stop jobs, and resources for job status and logs with update notifications. Register it in the client as the command `procd mcp`; it talks to the daemon (starting it when needed) and logs to stderr only. --read-only offers only the observing tools (list, status, logs, wait, analyze).',
    usage: 'procd mcp [--read-only]',
    options: { 'read-only': { type: 'boolean', help: 'offer only the tools that observe; no start, kill, restart, signal, cleanup or adopt' } },
    examples: ['procd mcp', 'procd mcp --read-only', 'claude mcp add procd -- procd mcp'],
  },
} as const satisfies Record<string, CliSpec>;
