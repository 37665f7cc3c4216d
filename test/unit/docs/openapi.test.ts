import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../../client/dashboard/routes.js';

const REPO = resolve(import.meta.dirname, '../../..');
const FILE = join(REPO, 'docs/openapi.json');

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
}

describe('docs/openapi.json (the dashboard API)', () => {
  it('matches the route table and the protocol schemas (run `npm run docs` after changing either)', async () => {
    const gen = (await import(join(REPO, 'docs/generate-openapi.mjs'))) as { renderOpenApi(): Promise<unknown> };
    expect(JSON.parse(readFileSync(FILE, 'utf8'))).toEqual(await gen.renderOpenApi());
  });

  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator, against the official 3.1 schema)', async () => {
    const result = await new Validator().validate(FILE);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every route, the event stream and the session, with every $ref resolvable', () => {
    const doc = JSON.parse(readFileSync(FILE, 'utf8')) as OpenApiDoc;
    expect(doc.openapi).toBe('3.1.0');
    for (const r of API_ROUTES) expect(doc.paths[r.path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    expect(doc.paths['/api/events']?.get?.responses['200']?.content?.['text/event-stream']).toBeDefined();
    expect(doc.paths['/api/session']?.get).toBeDefined();
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const name of new Set(refs)) expect(doc.components.schemas[name], name).toBeDefined();
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
  });

  it('holds JSON Schemas (2020-12, as OpenAPI 3.1 says) that ajv accepts and compiles, every $ref resolved', () => {
    const doc = JSON.parse(readFileSync(FILE, 'utf8')) as OpenApiDoc;
    const ajv = new Ajv2020.default({ strict: false, validateFormats: false });
    ajv.addSchema({ components: doc.components }, 'openapi');
    const schemas: Array<[string, unknown]> = Object.keys(doc.components.schemas).map((n) => [n, { $ref: `openapi#/components/schemas/${n}` }]);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [status, res] of Object.entries(op.responses)) {
          for (const [type, media] of Object.entries(res.content ?? {})) schemas.push([`${method} ${path} ${status} ${type}`, media.schema]);
        }
      }
    }
    for (const [name, schema] of schemas) {
      const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')) as object;
      expect(ajv.validateSchema(rewritten), `${name}: ${ajv.errorsText()}`).toBe(true);
      expect(() => ajv.compile(rewritten), name).not.toThrow();
    }
    expect(ajv.validateSchema({ type: 5 })).toBe(false);
  });
});
