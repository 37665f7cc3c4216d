// The dashboard's error answer: an HTTP status, a code a program can test (the daemon's own code
// name when the daemon refused, e.g. JobNotFound), a message that says what to do, and data.

import { errorCodeName, ErrorCode, ProcdError } from '../../shared/errors.js';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly data: Record<string, unknown> = {},
    /** The daemon's numeric error code, when the daemon answered with it. */
    readonly rpcCode: number | null = null,
  ) {
    super(message);
  }

  /** The JSON body: `{ "error": { "code", "message", "rpcCode"?, "data"? } }`. */
  body(): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.rpcCode !== null) error.rpcCode = this.rpcCode;
    if (Object.keys(this.data).length > 0) error.data = this.data;
    return { error };
  }
}

/** The HTTP status for a daemon error code: what a web client should make of it. */
export function statusForRpcCode(code: number): number {
  switch (code) {
    case ErrorCode.InvalidParams:
    case ErrorCode.BadSignal:
    case ErrorCode.ParseError:
    case ErrorCode.InvalidRequest:
      return 400;
    case ErrorCode.JobNotFound:
    case ErrorCode.RunNotFound:
    case ErrorCode.GroupNotFound:
      return 404;
    case ErrorCode.JobNotRunning:
    case ErrorCode.JobStillRunning:
    case ErrorCode.NameInUse:
    case ErrorCode.NotAdopted:
    case ErrorCode.NotRestartable:
    case ErrorCode.GroupInUse:
    case ErrorCode.PauseFailed:
    case ErrorCode.InstanceMismatch:
      return 409;
    case ErrorCode.FrameTooLarge:
      return 413;
    case ErrorCode.MethodNotFound:
      return 501;
    case ErrorCode.ShuttingDown:
    case ErrorCode.DaemonUnavailable:
    case ErrorCode.StorageFailed:
    case ErrorCode.VersionMismatch:
      return 503;
    case ErrorCode.Timeout:
      return 504;
    default:
      return 500;
  }
}

/** Any error a handler met, as the answer to send (an unexpected one becomes a 500 without internals). */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ProcdError) return new HttpError(statusForRpcCode(err.code), errorCodeName(err.code), err.message, err.data, err.code);
  return new HttpError(500, 'InternalError', 'the dashboard failed to handle this request; see its output for details');
}
