// The audit method's params and result (issue 14), spread into METHOD_SCHEMAS (methods.ts) so it
// stays one table.

import * as v from 'valibot';
import { METHOD_SPECS } from '../methods.js';
import { int, list, obj, oneOf, opt } from './valid.js';

export const AUDIT_LIMIT_DEFAULT = 100;

const auditClient = v.object({ name: v.nullable(v.string()), pid: v.nullable(v.number()), via: v.nullable(v.string()), connection: v.number() });
const auditResult = v.variant('ok', [
  v.object({
    ok: v.literal(true),
    jobs: v.array(v.number()),
    failed: v.optional(v.array(v.object({ ref: v.union([v.number(), v.string()]), error: v.string() }))),
    group: v.optional(v.string()),
  }),
  v.object({ ok: v.literal(false), code: v.number(), error: v.string(), message: v.string() }),
]);
/** One audited call (shared/audit.ts). */
export const AuditRecordSchema = v.object({ at: v.number(), method: v.string(), client: auditClient, params: v.record(v.string(), v.unknown()), result: auditResult, ms: v.number() });

export const AUDIT_METHOD_SCHEMAS = {
  audit: {
    params: obj({
      /** Only calls that came at or after this time (ms since epoch). */
      since: opt(int({ min: 0 })),
      methods: opt(list(oneOf(Object.keys(METHOD_SPECS)), { max: 100 })),
      /** At most this many records (default 100). */
      limit: opt(int({ min: 1, max: 100_000 })),
    }),
    result: v.array(AuditRecordSchema),
    example: {
      params: { since: 1767225600000, methods: ['kill'] },
      result: [
        {
          at: 1767225660000,
          method: 'kill',
          client: { name: 'procd-cli/0.1.0', pid: 51234, via: 'kill', connection: 7 },
          params: { jobs: [3] },
          result: { ok: true, jobs: [3] },
          ms: 212,
        },
      ],
    },
  },
};
