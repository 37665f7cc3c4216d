// kill and rm act on every job they can and report each job given that they could not act on:
// the ref as given, its id when it resolved, and the error as the RPC layer would have sent it.

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { Job, JobId } from '../../shared/job.js';
import type { JobRef, RefFailure } from '../../shared/methods.js';
import type { Logger } from '../logger.js';
import type { JobTable } from './job-table.js';

/** The failure item for `ref`; an error that is not procd's own is logged and reported as InternalError. */
export function refFailure(ref: JobRef, id: JobId | null, err: unknown, logger: Logger): RefFailure {
  if (!(err instanceof ProcdError)) {
    logger.error({ err, job: id ?? ref }, 'acting on one job of several failed');
    err = new ProcdError(ErrorCode.InternalError, `internal error acting on job ${id ?? ref}; see the daemon log`);
  }
  const e = err as ProcdError;
  return { ref, ok: false, id, error: { code: e.code, name: e.codeName, message: e.message, data: e.data } };
}

/** Each ref resolved to its job, or the JobNotFound failure for it. */
export function resolveEach(table: JobTable, refs: readonly JobRef[], logger: Logger): ({ ref: JobRef; job: Job } | RefFailure)[] {
  return refs.map((ref) => {
    try {
      return { ref, job: table.resolve(ref) };
    } catch (err) {
      return refFailure(ref, null, err, logger);
    }
  });
}

export function isFailure<T extends object>(item: T | RefFailure): item is RefFailure {
  return 'ok' in item && item.ok === false;
}
