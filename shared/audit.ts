// The audit log's record (issue 14): one line of audit.jsonl per call of a method the table marks
// `audited`, whoever made it. Types only, so the CLI can read them without a schema library.

/**
 * Who called, as the client said in `hello` (Node cannot read a Unix socket's peer credentials;
 * the socket is private to the user, so the caller's uid is the daemon's own).
 */
export interface AuditClient {
  /** `hello`'s `client`, e.g. `procd-cli/0.1.0`; null when it never said hello. */
  name: string | null;
  /** The client's process id, as it reported it. */
  pid: number | null;
  /** What the client was doing for its user, e.g. the CLI command `up` or `down`. */
  via: string | null;
  /** The daemon's number for the connection, to tell calls of one client apart. */
  connection: number;
}

/** How the call ended, in short: the jobs it acted on, or the error code. */
export type AuditResult =
  | {
      ok: true;
      /** Jobs acted on (created, stopped, removed, …). */
      jobs: number[];
      /** Jobs given that could not be acted on, with the error's name (kill, rm, pause, … answer per job). */
      failed?: { ref: number | string; error: string }[];
      /** The group acted on (group.set, group.rm). */
      group?: string;
    }
  | { ok: false; code: number; error: string; message: string };

export interface AuditRecord {
  /** When the call arrived (ms since epoch). */
  at: number;
  method: string;
  client: AuditClient;
  /** The params as sent, with every `env` map replaced by `envKeys` (its names only) and long values cut. */
  params: Record<string, unknown>;
  result: AuditResult;
  /** How long the call took. */
  ms: number;
}

/** `procd-cli/0.1.0 pid 4242 (up)`: who a client said it is, for people. */
export function clientLabel(c: Pick<AuditClient, 'name' | 'pid' | 'via'> & { connection?: number }): string {
  const name = c.name ?? (c.connection !== undefined ? `connection ${c.connection}` : 'a client');
  return `${name}${c.pid !== null ? ` pid ${c.pid}` : ''}${c.via !== null ? ` (${c.via})` : ''}`;
}
