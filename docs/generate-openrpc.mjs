// Builds docs/openrpc.json — the OpenRPC 1.3.2 document the daemon answers `rpc.discover` with — from
// the method table (dist/shared/methods.js) and the JSON Schemas generate-protocol.mjs derives from
// its valibot schemas. Generic over the table: a method added there appears here with no code of
// its own. `npm run docs` writes it; test/unit/docs/openrpc.test.ts checks it is up to date and
// valid against the official OpenRPC meta-schema.

import { join, resolve } from 'node:path';
import { renderProtocolSchemas } from './generate-protocol.mjs';

const REPO = resolve(import.meta.dirname, '..');
const load = (file) => import(join(REPO, 'dist/shared', file));

export const OPENRPC_VERSION = '1.3.2';

export async function renderOpenRpc() {
  const { METHOD_SPECS, PROTOCOL_VERSION, CAPABILITIES } = await load('methods.js');
  const { METHOD_SCHEMAS } = await load('schemas/methods.js');
  const { ErrorCode } = await load('errors.js');
  const { VERSION } = await load('version.js');
  const schemas = toComponentRefs(await renderProtocolSchemas());
  const methods = Object.entries(METHOD_SPECS).map(([name, spec]) => {
    const { params, result } = schemas.methods[name];
    const example = METHOD_SCHEMAS[name].example;
    return {
      name,
      summary: firstSentence(spec.doc),
      description: spec.doc,
      paramStructure: 'by-name',
      params: contentDescriptors(name, params),
      result: { name: 'result', schema: result },
      errors: ['InvalidParams', ...spec.errors].map((e) => ({ code: ErrorCode[e], message: e })),
      examples: [
        {
          name: `${name} example`,
          params: Object.entries(example.params ?? {}).map(([field, value]) => ({ name: field, value })),
          result: { name: 'result', value: example.result },
        },
      ],
      'x-capability': spec.capability,
      'x-mutates': spec.mutates,
      'x-idempotent': spec.idempotent,
      'x-stable': spec.stable,
      ...(spec.cli ? { 'x-cli': `procd ${spec.cli.command}` } : {}),
    };
  });
  return {
    openrpc: OPENRPC_VERSION,
    info: {
      title: 'procd',
      version: VERSION,
      description: `procd's daemon: JSON-RPC 2.0 over a Unix domain socket, one JSON message per line (docs/protocol.md). Protocol version ${PROTOCOL_VERSION}. Params are always by name; a null field counts as not given. After \`subscribe\` the connection also receives \`event\` notifications (their schemas: docs/protocol.schema.json).`,
      license: { name: 'MIT' },
    },
    methods,
    components: { schemas: schemas.$defs },
    'x-protocol-version': PROTOCOL_VERSION,
    'x-capabilities': CAPABILITIES,
  };
}

/** One content descriptor per param: the params object's properties, each with whether it is required. */
function contentDescriptors(method, params) {
  if (params.type !== 'object' || !params.properties) throw new Error(`${method}: params must be an object schema (by-name params), got ${JSON.stringify(params).slice(0, 200)}`);
  const required = new Set(params.required ?? []);
  return Object.entries(params.properties).map(([name, schema]) => ({ name, required: required.has(name), schema }));
}

/** The protocol schema names its shared shapes under `#/$defs/`; OpenRPC keeps them under `#/components/schemas/`. */
function toComponentRefs(value) {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace(/^#\/\$defs\//, '#/components/schemas/') : toComponentRefs(v)]),
  );
}

function firstSentence(doc) {
  const end = doc.search(/[.:;](\s|$)/);
  const sentence = end === -1 ? doc : doc.slice(0, end);
  return sentence.length <= 120 ? sentence : `${sentence.slice(0, 119)}…`;
}
