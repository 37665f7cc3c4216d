import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../../..');

interface Generator {
  renderProtocolDoc(): Promise<string>;
  renderProtocolSchemas(): Promise<unknown>;
  renderProjectFileSchema(): Promise<unknown>;
}

describe('docs/protocol.md and docs/protocol.schema.json', () => {
  it('match the method table and its schemas (run `npm run docs` after changing shared/methods.ts or shared/schemas/)', async () => {
    const gen = (await import(join(REPO, 'docs/generate-protocol.mjs'))) as Generator;
    expect(readFileSync(join(REPO, 'docs/protocol.md'), 'utf8')).toBe(await gen.renderProtocolDoc());
    expect(JSON.parse(readFileSync(join(REPO, 'docs/protocol.schema.json'), 'utf8'))).toEqual(await gen.renderProtocolSchemas());
    expect(JSON.parse(readFileSync(join(REPO, 'docs/procd-yaml.schema.json'), 'utf8'))).toEqual(await gen.renderProjectFileSchema());
  });

  it('the project file schema (docs/procd-yaml.schema.json) knows every entry key and refuses others', async () => {
    const schema = JSON.parse(readFileSync(join(REPO, 'docs/procd-yaml.schema.json'), 'utf8')) as {
      properties: { jobs: { additionalProperties: { properties: Record<string, unknown>; additionalProperties: boolean } } };
      additionalProperties: boolean;
    };
    const entry = schema.properties.jobs.additionalProperties;
    expect(Object.keys(entry.properties)).toEqual(expect.arrayContaining(['command', 'shell', 'env_file', 'restart', 'max_memory', 'after', 'ready_when', 'alive_when', 'stop_signal', 'grace']));
    expect(entry.additionalProperties).toBe(false);
    expect(schema.additionalProperties).toBe(false);
  });

  it('show every method with a literal request and answer, and its errors', async () => {
    const doc = readFileSync(join(REPO, 'docs/protocol.md'), 'utf8');
    const { METHOD_SPECS } = (await import(join(REPO, 'dist/shared/methods.js'))) as { METHOD_SPECS: Record<string, unknown> };
    for (const name of Object.keys(METHOD_SPECS)) {
      const section = doc.slice(doc.indexOf(`### \`${name}\``));
      expect(section).toMatch(new RegExp(`→ \\{"jsonrpc":"2.0","id":1,"method":"${name.replace('.', '\\.')}"`));
      expect(section).toMatch(/← \{"jsonrpc":"2.0","id":1,"result":/);
      expect(section).toMatch(/Errors: InvalidParams \(-32602\)/);
    }
  });
});
