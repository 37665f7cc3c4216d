// A valibot schema as the MCP SDK takes a tool's schemas: Standard Schema (valibot validates the
// arguments) plus Standard JSON Schema (what tools/list shows). @valibot/to-json-schema's own
// toStandardJsonSchema converts strictly and throws on the protocol's custom checks (a job name's
// rules, NUL-free strings); here they are left out of the JSON Schema (`errorMode: 'ignore'`, as
// docs/protocol.schema.json does) and still enforced by valibot when the tool is called.

import { toJsonSchema } from '@valibot/to-json-schema';
import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import type * as v from 'valibot';

type Target = 'draft-07' | 'draft-2020-12' | 'openapi-3.0';
const TARGETS: readonly string[] = ['draft-07', 'draft-2020-12', 'openapi-3.0'];

/** The JSON Schema of `schema` (input or output side), without `$schema` so that it nests. */
export function jsonSchemaOf(schema: v.GenericSchema, typeMode: 'input' | 'output', target: string = 'draft-2020-12'): Record<string, unknown> {
  if (!TARGETS.includes(target)) throw new Error(`unsupported JSON Schema target: ${target}`);
  const { $schema: _, ...rest } = toJsonSchema(schema, { errorMode: 'ignore', typeMode, target: target as Target }) as Record<string, unknown>;
  return rest;
}

export function withJsonSchema<S extends v.GenericSchema>(schema: S): StandardSchemaWithJSON<v.InferInput<S>, v.InferOutput<S>> {
  return {
    '~standard': {
      ...schema['~standard'],
      jsonSchema: {
        input: (options) => jsonSchemaOf(schema, 'input', options.target),
        output: (options) => jsonSchemaOf(schema, 'output', options.target),
      },
    },
  };
}
