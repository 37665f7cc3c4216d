// Error codes on the wire. JSON-RPC reserves -32768..-32000; procd's own domain errors use
// -32000..-32099 (the "server error" range) and always carry a `data` object a program can read.

export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,

  JobNotFound: -32000,
  JobNotRunning: -32001,
  JobStillRunning: -32002,
  BadSignal: -32003,
  FrameTooLarge: -32004,
  ShuttingDown: -32005,
  SpawnSetupFailed: -32006,
  AdoptFailed: -32007,
  VersionMismatch: -32008,
  Timeout: -32009,
  /** Raised by the client, never sent by a daemon: no daemon answers (not running, the socket is not ours, the connection dropped, autostart failed). */
  DaemonUnavailable: -32010,
  /** The daemon could not make a change durable (disk full, I/O error): it is not on disk yet and is retried with the next change. */
  StorageFailed: -32011,
  /** A live job (queued, starting, running, paused) already has this name; `data.id` is that job. */
  NameInUse: -32012,
  /** The job was started by procd, not adopted: only an adopted process can be released. */
  NotAdopted: -32013,
  /** The job's processes could not all be paused or resumed (a freeze the kernel did not complete in time, signals refused); nothing changed. */
  PauseFailed: -32014,
  /** An adopted job: procd did not start it, so it cannot start it again (`procd restart`). */
  NotRestartable: -32015,
  /** The job has no such run, or that run's output is no longer kept; `data` names the runs that can be read. */
  RunNotFound: -32016,
  /** No such queue group is configured (`procd group rm`). */
  GroupNotFound: -32017,
  /** The group still has queued jobs: they would lose their group's limit. */
  GroupInUse: -32018,
  /** A report from inside a job of another procd home (its PROCD_INSTANCE is not this daemon's): this daemon's job with that id is someone else. */
  InstanceMismatch: -32025,
  /** `track` with `ensure`: a live job of that name (or command and cwd) runs another spec; `data.id` is it, `data.differences` the fields (old → new). `replace` starts the new spec instead. */
  SpecDiffers: -32029,
  /** `kill --port`: nothing listens on that port (`data.port`). */
  PortNotListening: -32030,
  /** `kill --port`: a process procd does not supervise holds the port (`data.holders`: pid, command); nothing was stopped. `adopt: true` adopts and stops it. */
  PortNotSupervised: -32031,
  /** Raised by the CLI, never sent by a daemon: a bad command line (unknown option, missing value, …; exit 2). */
  UsageError: -32020,
  /** Raised by the CLI, never sent by a daemon: the command could not do its work for a reason outside the protocol (exit 1). */
  CommandFailed: -32021,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];

const NAMES = new Map<number, ErrorCodeName>(Object.entries(ErrorCode).map(([k, v]) => [v, k as ErrorCodeName]));

export function errorCodeName(code: number): string {
  return NAMES.get(code) ?? `Error${code}`;
}

/** An error with a protocol code: thrown by handlers, sent on the wire, rethrown by the client. */
export class ProcdError extends Error {
  override readonly name = 'ProcdError';
  constructor(
    readonly code: number,
    message: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get codeName(): string {
    return errorCodeName(this.code);
  }
}
