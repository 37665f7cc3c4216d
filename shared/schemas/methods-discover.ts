// Params and result of `rpc.discover` (issue 15), spread into METHOD_SCHEMAS (methods.ts). The result
// is an OpenRPC document: its top level is described here, the rest is OpenRPC's own meta-schema
// (test/unit/docs/openrpc.test.ts validates docs/openrpc.json against it).

import * as v from 'valibot';
import { obj } from './valid.js';

const openRpcInfo = v.looseObject({ title: v.string(), version: v.string() });
const openRpcMethod = v.looseObject({ name: v.string(), params: v.array(v.unknown()), result: v.unknown() });

export const DISCOVER_METHOD_SCHEMAS = {
  'rpc.discover': {
    params: obj({}),
    result: v.looseObject({ openrpc: v.string(), info: openRpcInfo, methods: v.array(openRpcMethod), components: v.optional(v.record(v.string(), v.unknown())) }),
    example: {
      params: {},
      result: {
        openrpc: '1.3.2',
        info: { title: 'procd', version: '0.1.0' },
        methods: [{ name: 'hello', params: [{ name: 'client', schema: { type: 'string', maxLength: 200 } }], result: { name: 'result', schema: { $ref: '#/components/schemas/Hello' } } }],
      },
    },
  },
};
