import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import { AUDIT_LIMIT_DEFAULT } from '../../shared/schemas/methods-audit.js';
import type { DaemonContext } from './context.js';

/** audit: the audit log, newest first (daemon/audit/audit-log.ts). */
export function audit(ctx: DaemonContext, params: ParamsOf<'audit'>): ResultOf<'audit'> {
  return ctx.audit.read({ limit: params.limit ?? AUDIT_LIMIT_DEFAULT, ...(params.since !== undefined ? { sinceMs: params.since } : {}), ...(params.methods ? { methods: params.methods } : {}) });
}
