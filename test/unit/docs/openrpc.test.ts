// docs/openrpc.json (what `rpc.discover` answers) is generated from the method table, kept in sync,
// and valid: checked with ajv against the official OpenRPC meta-schema (@open-rpc/meta-schema, which
// refers to @json-schema-tools/meta-schema for the schemas inside), and each method's example
// validates against the params and result schemas the document gives it.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { MethodSpec } from '../../../shared/method-spec.js';
import { METHOD_SPECS } from '../../../shared/methods.js';

const REPO = resolve(import.meta.dirname, '../../..');
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
// Their type declarations describe the documents' types, not the exported meta-schemas.
const require = createRequire(import.meta.url);
const { openrpcDocument } = require('@open-rpc/meta-schema') as { openrpcDocument: object };
const { jsonSchema } = require('@json-schema-tools/meta-schema') as { jsonSchema: object };

interface ContentDescriptor {
  name: string;
  required?: boolean;
  schema: unknown;
}
interface OpenRpcMethod {
  name: string;
  description: string;
  params: ContentDescriptor[];
  result: ContentDescriptor;
  errors: { code: number; message: string }[];
  examples: { params: { name: string; value: unknown }[]; result: { value: unknown } }[];
}
interface OpenRpcDoc {
  openrpc: string;
  methods: OpenRpcMethod[];
  components: { schemas: Record<string, unknown> };
}

const committed = (): OpenRpcDoc => JSON.parse(readFileSync(join(REPO, 'docs/openrpc.json'), 'utf8')) as OpenRpcDoc;
const withoutDialect = (schema: object): object => Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema'));

function ajv(): Ajv {
  const a = new Ajv({ strict: false, allErrors: true });
  addFormats(a);
  a.addSchema(withoutDialect(jsonSchema));
  // The OpenRPC meta-schema names the JSON Schema meta-schema both with and without its trailing slash.
  a.addSchema({ $id: 'https://meta.json-schema.tools', $ref: 'https://meta.json-schema.tools/' });
  return a;
}

function metaValidator(): ValidateFunction {
  return ajv().compile(withoutDialect(openrpcDocument));
}

describe('docs/openrpc.json', () => {
  it('matches the method table and its schemas (run `npm run docs` after changing shared/methods*.ts or shared/schemas/)', async () => {
    const gen = (await import(join(REPO, 'docs/generate-openrpc.mjs'))) as { renderOpenRpc(): Promise<unknown> };
    expect(committed()).toEqual(await gen.renderOpenRpc());
  });

  it('is a valid OpenRPC 1.3.2 document (the official meta-schema)', () => {
    const validate = metaValidator();
    const doc = committed();
    expect(doc.openrpc).toBe('1.3.2');
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
  });

  it('the validator refuses a broken document (so the check above can fail)', () => {
    const validate = metaValidator();
    const noName = structuredClone(committed()) as unknown as { methods: Record<string, unknown>[] };
    delete noName.methods[0]!.name;
    expect(validate(noName)).toBe(false);
    const badSchema = structuredClone(committed());
    badSchema.methods[1]!.params[0]!.schema = { type: 'no-such-type' };
    expect(validate(badSchema)).toBe(false);
  });

  it('has every method of the table, in order, with its doc and its error codes', () => {
    const doc = committed();
    expect(doc.methods.map((m) => m.name)).toEqual(Object.keys(METHOD_SPECS));
    for (const m of doc.methods) {
      const spec: MethodSpec = METHOD_SPECS[m.name as keyof typeof METHOD_SPECS];
      expect(m.description).toBe(spec.doc);
      expect(m.errors).toEqual((['InvalidParams', ...spec.errors] as const).map((e) => ({ code: ErrorCode[e], message: e })));
    }
  });

  it("each method's example validates against the params and result schemas it gives (refs resolved in components)", () => {
    const a = ajv();
    const doc = committed();
    a.addSchema(doc as object, 'procd-openrpc');
    doc.methods.forEach((m, i) => {
      const example = m.examples[0]!;
      const given = new Map(example.params.map((p) => [p.name, p.value]));
      m.params.forEach((p, j) => {
        if (p.required) expect(given.has(p.name), `${m.name}: example lacks required param ${p.name}`).toBe(true);
        if (!given.has(p.name)) return;
        const check = a.getSchema(`procd-openrpc#/methods/${i}/params/${j}/schema`)!;
        expect(check(given.get(p.name)), `${m.name} param ${p.name}: ${JSON.stringify(check.errors?.slice(0, 3))}`).toBe(true);
      });
      for (const name of given.keys()) expect(m.params.map((p) => p.name), `${m.name}: example param ${name}`).toContain(name);
      const result = a.getSchema(`procd-openrpc#/methods/${i}/result/schema`)!;
      expect(result(example.result.value), `${m.name} result: ${JSON.stringify(result.errors?.slice(0, 3))}`).toBe(true);
    });
    // A wrong value is refused: the schemas really constrain (kill needs a non-empty list of jobs).
    const kill = doc.methods.findIndex((m) => m.name === 'kill');
    expect(a.getSchema(`procd-openrpc#/methods/${kill}/params/0/schema`)!([])).toBe(false);
  });
});

describe('rpc.discover in the daemon', () => {
  it('serves the file: no daemon or shared module loads the JSON Schema converter', async () => {
    const { readdirSync } = await import('node:fs');
    const files = ['daemon', 'shared'].flatMap((dir) =>
      readdirSync(join(REPO, 'dist', dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.js'))
        .map((f) => join(REPO, 'dist', dir, f)),
    );
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((f) => readFileSync(f, 'utf8').includes('to-json-schema'))).toEqual([]);
  });
});
