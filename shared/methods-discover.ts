// The method table's entry for `rpc.discover` (issue 15, OpenRPC service discovery), spread into
// METHOD_SPECS (methods.ts), so it is still one table. The document it answers is docs/openrpc.json,
// generated from this table (docs/generate-openrpc.mjs).

import type { MethodSpec } from './method-spec.js';

export const DISCOVER_METHOD_SPECS = {
  'rpc.discover': {
    doc: 'The OpenRPC document (spec 1.3.2) of this daemon: every method with its params and result as JSON Schema, its doc, its error codes and an example, generated from the method table (the same as docs/openrpc.json).',
    capability: 'rpc.discover',
    mutates: false,
    idempotent: true,
    // Its answer's shape is OpenRPC's, not procd's: a client of any protocol version may ask what a daemon speaks.
    stable: true,
    errors: [],
    cli: {
      command: 'discover',
      positionals: null,
      brief: "the daemon's OpenRPC document (every method and its schemas), as JSON",
      summary: "Print the daemon's OpenRPC document (rpc.discover): every method with its params and result as JSON Schema, its doc, errors and an example. Always JSON.",
      usage: 'procd discover [--json]',
      options: {},
      examples: ['procd discover | jq ".methods[].name"', 'procd discover | jq \'.methods[] | select(.name == "kill")\''],
    },
  },
} as const satisfies Record<string, MethodSpec>;
