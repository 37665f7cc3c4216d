// What the method table says about each method besides its schemas: the shape of one entry of
// METHOD_SPECS (shared/methods.ts) and of a CLI command's spec. Types and plain data only, so the
// CLI can read the table without loading a schema library.

import type { ErrorCodeName } from './errors.js';

/** One option of a CLI command: what node:util parseArgs needs, plus its help line. */
export interface CliOption {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** The value's placeholder in help, e.g. DURATION. */
  arg?: string;
  help: string;
}

export interface CliSpec {
  /** The command word, e.g. `ls` for the method `list`. */
  command: string;
  aliases?: readonly string[];
  /** The positional arguments as help shows them (`ID|NAME...`), or null when it takes none (a stray word is then a usage error). */
  positionals: string | null;
  /** The line in `procd --help`. */
  brief: string;
  /** What `procd CMD --help` says first. */
  summary: string;
  usage: string;
  options: Readonly<Record<string, CliOption>>;
  examples: readonly string[];
}

/** How a call's client-side timeout grows when the call waits on purpose. */
export interface TimeoutRule {
  /** The param whose milliseconds are added to the default timeout. */
  param?: string;
  /** Without that param, count this many ms instead (kill without graceMs waits each job's own grace). */
  paramDefaultMs?: number;
  /** Without that param the call may wait forever (wait without timeoutMs): no client timeout. */
  unboundedWithout?: boolean;
  /** Fixed extra time (a kill's SIGKILL escalation and the disk write after it). */
  plusMs?: number;
}

export interface MethodSpec {
  doc: string;
  /** The capability (hello's list) a client checks before calling it. */
  capability: string;
  /** Changes durable state: the change is on disk (journal fsynced) before the answer is sent. */
  mutates: boolean;
  /**
   * Recorded in the audit log (`procd audit`): a call that acts on jobs, groups or the daemon's
   * records, whoever asked. Wider than `mutates` (a signal changes nothing on disk but is audited).
   */
  audited?: true;
  /** Safe to send again after a reconnect (the client's reconnecting waits only use these). */
  idempotent: boolean;
  /** Keeps its shape across protocol versions, so any client can reach any daemon (hello, daemon.status, daemon.stop). */
  stable: boolean;
  timeout?: TimeoutRule;
  /** procd's own error codes it may answer with (besides InvalidParams and InternalError, which any method may). */
  errors: readonly ErrorCodeName[];
  cli?: CliSpec;
}
