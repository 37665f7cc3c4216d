// `procd mcp`: a Model Context Protocol server over stdio (the official SDK, v2), a thin client of
// the daemon through the client library (connected on first use, autostarting it, riding out its
// restarts). stdout carries MCP only; anything it has to say goes to stderr. Bundled apart from
// the CLI (dist/client/cli/mcp.js): the SDK and zod load only for this command.

import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { VERSION } from '../../shared/version.js';
import { connect, type ProcdClient } from '../index.js';
import { jsonSchemaOf } from './json-schema.js';
import { registerTools } from './register-tools.js';
import { refuseInReadOnly } from './read-only.js';
import { registerResources } from './resources.js';
import { TOOLS, toolsFor } from './tools.js';
import { observeInbound, ResourceUpdater, WatchedResources } from './updates.js';

export interface McpOptions {
  /** Offer only the tools that observe (list, status, logs, wait, analyze). */
  readOnly: boolean;
  /** Start the daemon when none runs (default true). */
  autostart?: boolean;
}

const INSTRUCTIONS = `procd supervises background processes (dev servers, watchers, builds, test runs) so that they outlive this conversation and never leak: start them with \`start\` (not a shell's &), find what already runs with \`list\`, wait for readiness or any condition with \`wait\` (never sleep and poll), read output within a budget with \`logs\`, stop whole process trees with \`kill\`.`;

const READ_ONLY_NOTE = 'This server runs read-only (procd mcp --read-only): it observes jobs (list, status, logs, wait, analyze, ports) but cannot start, stop, restart, signal, adopt or clean up.';

/** How this server introduces itself to the daemon (owner default, audit, timelines). */
const AS_MCP = { clientName: `procd-mcp/${VERSION}`, via: 'mcp' };

/** One lazily opened daemon connection, shared by every tool call and resource read. */
function daemonLink(autostart: boolean): { get: () => Promise<ProcdClient>; close: () => void } {
  let pending: Promise<ProcdClient> | null = null;
  const get = () => {
    pending ??= connect({ ...AS_MCP, reconnect: true, ...(autostart ? {} : { autostart: false }) }).then((c) => {
      c.onClose(() => {
        pending = null;
      });
      if (c.versionWarning) process.stderr.write(`procd mcp: warning: ${c.versionWarning}\n`);
      return c;
    });
    // A failed connect is tried again on the next call (the daemon may come up meanwhile).
    pending.catch(() => {
      pending = null;
    });
    return pending;
  };
  return { get, close: () => void pending?.then((c) => c.close(), () => undefined) };
}

/** Whether a daemon answers now: a connection that never autostarts one, closed at once. */
async function daemonRunning(): Promise<boolean> {
  try {
    const c = await connect({ ...AS_MCP, autostart: false });
    c.close();
    return true;
  } catch {
    return false;
  }
}

/** Serves MCP on stdin/stdout until the client closes stdin; returns the exit code. */
export async function serveMcp(options: McpOptions): Promise<number> {
  const daemon = daemonLink(options.autostart ?? true);
  const tools = toolsFor(options.readOnly);
  let updater: ResourceUpdater | null = null;
  const watched = new WatchedResources(() => updater?.refresh());
  updater = new ResourceUpdater(daemon.get, watched, daemonRunning);
  let closedNow: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    closedNow = resolve;
  });
  const stdio = new StdioServerTransport();
  const refused = new Set(TOOLS.filter((t) => !tools.includes(t)).map((t) => t.name));
  const inbound = refused.size ? refuseInReadOnly(stdio, refused, tools.map((t) => t.name)) : stdio;
  const transport = observeInbound(inbound, (m) => watched.see(m), () => closedNow());
  const handle = serveStdio(
    () => {
      const server = new McpServer(
        { name: 'procd', version: VERSION },
        { capabilities: { tools: {}, resources: { subscribe: true } }, instructions: options.readOnly ? `${INSTRUCTIONS} ${READ_ONLY_NOTE}` : INSTRUCTIONS },
      );
      registerTools(server, tools, daemon.get);
      registerResources(server, daemon.get);
      // The 2025 protocol's subscribe: the URI is noted from the request itself (WatchedResources).
      server.server.setRequestHandler('resources/subscribe', () => ({}));
      server.server.setRequestHandler('resources/unsubscribe', () => ({}));
      updater?.attach(server);
      return server;
    },
    { transport, onerror: (err) => process.stderr.write(`procd mcp: ${err.message}\n`) },
  );
  process.stderr.write(`procd mcp: serving ${tools.length} tools on stdio${options.readOnly ? ' (read-only)' : ''}\n`);
  await closed;
  await handle.close().catch(() => undefined);
  updater.close();
  daemon.close();
  return 0;
}

/** The tool list as tools/list shows it (names, descriptions, input schemas), for docs/mcp-tools.json. */
export function toolListSnapshot(): { readOnly: string[]; tools: { name: string; title: string; description: string; inputSchema: Record<string, unknown>; outputSchema?: Record<string, unknown> }[] } {
  return {
    readOnly: toolsFor(true).map((t) => t.name),
    tools: TOOLS.map((t) => ({
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: jsonSchemaOf(t.input, 'input'),
      ...(t.output ? { outputSchema: jsonSchemaOf(t.output, 'output') } : {}),
    })),
  };
}
