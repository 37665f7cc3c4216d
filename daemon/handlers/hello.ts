import { CAPABILITIES, PROTOCOL_VERSION, type HelloResult, type ParamsOf } from '../../shared/methods.js';
import { VERSION } from '../../shared/version.js';
import type { CallContext } from '../server/dispatch.js';

/** hello: who we are and what we can do; clients compare capabilities, not version numbers. */
export function hello(): HelloResult {
  return { daemonVersion: VERSION, protocolVersion: PROTOCOL_VERSION, pid: process.pid, capabilities: [...CAPABILITIES] };
}

/** What the client says of itself in hello, kept on its connection for the audit log. */
export function noteIdentity(params: ParamsOf<'hello'>, call: CallContext): void {
  call.identity.name = params.client ?? null;
  call.identity.pid = params.pid ?? null;
  call.identity.via = params.via ?? null;
  call.identity.parentName = params.parentName ?? null;
}
