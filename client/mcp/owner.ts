// Whose jobs an agent starts through MCP: the owner it names, else PROCD_OWNER, else this session's
// own owner — the MCP client's name from `initialize` ("claude-code") with a random suffix made
// once per server process ("claude-code-3f9a1c"). One server process serves one agent session, so
// `cleanup` with that owner at the end of a session stops this session's jobs and never another
// session's of the same client (the bare client name was shared by all of them).

import { randomBytes } from 'node:crypto';
import { askedOwner, clientOwnerName } from '../../shared/owner.js';

const SESSION_SUFFIX = randomBytes(3).toString('hex');

/** The owner name to send with a start or adopt, or undefined to leave it to the daemon. */
export function mcpOwner(asked: string | undefined, env: NodeJS.ProcessEnv, clientName: string | null, suffix = SESSION_SUFFIX): string | undefined {
  const given = askedOwner(asked, env);
  if (given !== undefined) return given;
  if (clientName === null) return undefined;
  // A client's name is whatever it says: keep what an owner name may hold (printable, ≤ 200).
  const printable = clientOwnerName(clientName.replace(/[\u0000-\u001f\u007f]/g, '')).slice(0, 180).trim();
  return printable === '' ? undefined : `${printable}-${suffix}`;
}
