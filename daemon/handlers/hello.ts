import { CAPABILITIES, PROTOCOL_VERSION, type HelloResult } from '../../shared/methods.js';
import { VERSION } from '../../shared/version.js';

/** hello: who we are and what we can do; clients compare capabilities, not version numbers. */
export function hello(): HelloResult {
  return { daemonVersion: VERSION, protocolVersion: PROTOCOL_VERSION, pid: process.pid, capabilities: [...CAPABILITIES] };
}
