#!/usr/bin/env node
// docs/mcp-tools.json: the tools `procd mcp` offers (names, titles, descriptions, input and output
// JSON Schemas, which ones --read-only keeps), as tools/list shows them. Checked in so that a change
// to a tool is a visible diff; test/unit/docs/mcp-tools.test.ts and test/e2e/mcp.test.ts check it.
// `npm run docs` (after the build) rewrites it.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..');

export async function renderMcpTools() {
  const { toolListSnapshot } = await import(join(REPO, 'dist/client/mcp/serve.js'));
  return toolListSnapshot();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(join(REPO, 'docs/mcp-tools.json'), `${JSON.stringify(await renderMcpTools(), null, 2)}\n`);
  console.log('wrote docs/mcp-tools.json');
}
