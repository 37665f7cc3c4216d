// Whose jobs an agent starts through MCP: the owner it names, else PROCD_OWNER, else the MCP
// client's own name from `initialize` ("claude-code", "cursor") — so that `cleanup --owner` at the
// end of an agent's session finds its jobs — and only then the daemon's default (this server's
// hello name, `procd-mcp`, the same for every agent).

import { askedOwner, clientOwnerName } from '../../shared/owner.js';

/** The owner name to send with a start, or undefined to leave it to the daemon. */
export function mcpOwner(asked: string | undefined, env: NodeJS.ProcessEnv, clientName: string | null): string | undefined {
  const given = askedOwner(asked, env);
  if (given !== undefined) return given;
  if (clientName === null) return undefined;
  // A client's name is whatever it says: keep what an owner name may hold (printable, ≤ 200).
  const printable = clientOwnerName(clientName.replace(/[\u0000-\u001f\u007f]/g, '')).slice(0, 200).trim();
  return printable === '' ? undefined : printable;
}
