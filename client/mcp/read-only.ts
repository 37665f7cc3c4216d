// `procd mcp --read-only` does not register the tools that change jobs, so the SDK answers a call
// of one with "Tool start not found". This wraps the transport: a tools/call of such a tool is
// noted from the request, and the SDK's error for it says why instead (same code, -32602).

import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';

/** The error text for a refused tool. */
export function refusedText(tool: string, offered: readonly string[]): string {
  return `Tool ${tool} is refused: this server runs read-only (procd mcp --read-only), which offers only ${offered.join(', ')}. Run procd mcp without --read-only to start, stop or change jobs.`;
}

export function refuseInReadOnly(inner: Transport, refused: ReadonlySet<string>, offered: readonly string[]): Transport {
  // Request id → the refused tool it called.
  const calls = new Map<string | number, string>();
  const outer: Transport = {
    start: () => inner.start(),
    send: (message, options) => inner.send(reworded(message), options),
    close: () => inner.close(),
    ...(inner.setProtocolVersion ? { setProtocolVersion: (v: string) => inner.setProtocolVersion?.(v) } : {}),
    ...(inner.setSupportedProtocolVersions ? { setSupportedProtocolVersions: (v: string[]) => inner.setSupportedProtocolVersions?.(v) } : {}),
  };
  const reworded = (message: JSONRPCMessage): JSONRPCMessage => {
    if (!('id' in message) || message.id === undefined || !calls.has(message.id)) return message;
    const tool = calls.get(message.id)!;
    calls.delete(message.id);
    if (!('error' in message)) return message;
    return { ...message, error: { ...message.error, message: refusedText(tool, offered), data: { tool, readOnly: true } } };
  };
  inner.onmessage = (message, extra) => {
    if ('method' in message && message.method === 'tools/call' && 'id' in message) {
      const name = (message.params as { name?: unknown } | undefined)?.name;
      if (typeof name === 'string' && refused.has(name)) calls.set(message.id, name);
    }
    outer.onmessage?.(message, extra);
  };
  inner.onclose = () => outer.onclose?.();
  inner.onerror = (error) => outer.onerror?.(error);
  return outer;
}
