// The ports method's params and result (issue 15 §3), spread into METHOD_SCHEMAS (methods.ts) so
// it stays one table.

import * as v from 'valibot';
import { bool, obj, opt } from './valid.js';

/** One listening socket and who holds it. */
export const PortHolderSchema = v.object({
  port: v.number(),
  protocol: v.picklist(['tcp', 'udp']),
  address: v.string(),
  /** The process holding it; null: no process of yours does (`all`). */
  pid: v.nullable(v.number()),
  /** Its command line (argv joined with spaces), null when unreadable. */
  command: v.nullable(v.string()),
  /** The socket's owner as the kernel's table has it. */
  uid: v.number(),
  /** The live procd job the holding process belongs to; null: not one of procd's. */
  job: v.nullable(v.object({ id: v.number(), name: v.string() })),
});

export const PORTS_METHOD_SCHEMAS = {
  ports: {
    params: obj({ all: opt(bool()) }),
    result: v.array(PortHolderSchema),
    example: {
      params: {},
      result: [
        { port: 3000, protocol: 'tcp', address: '::', pid: 41235, command: 'node server.js', uid: 1000, job: { id: 3, name: 'web' } },
        { port: 5432, protocol: 'tcp', address: '127.0.0.1', pid: 2210, command: 'postgres -D /home/me/pg', uid: 1000, job: null },
      ],
    },
  },
};
