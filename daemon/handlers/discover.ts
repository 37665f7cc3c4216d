// rpc.discover: the OpenRPC document, served from the checked-in docs/openrpc.json (generated from
// the method table by `npm run docs`; a unit test keeps it in sync). Read on the first call and
// kept: the daemon never loads the JSON Schema converter, and start-up reads nothing for it.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { ResultOf } from '../../shared/methods.js';

type Document = ResultOf<'rpc.discover'>;

/** Where the document is, from dist/daemon/handlers/ (built, installed) or daemon/handlers/ (sources under test). */
const CANDIDATES = ['../../../docs/openrpc.json', '../../docs/openrpc.json'].map((rel) => new URL(rel, import.meta.url));

let cached: Promise<Document> | null = null;

export function discover(): Promise<Document> {
  cached ??= loadDocument(CANDIDATES).catch((err: unknown) => {
    cached = null; // a later call tries again (e.g. after `npm run docs` wrote it)
    throw err;
  });
  return cached;
}

export async function loadDocument(candidates: readonly URL[]): Promise<Document> {
  for (const url of candidates) {
    let doc: Partial<Document> | null;
    try {
      doc = JSON.parse(await readFile(url, 'utf8')) as Partial<Document> | null;
    } catch {
      continue; // absent or not JSON: the next place, else the error below
    }
    if (doc && typeof doc.openrpc === 'string' && Array.isArray(doc.methods)) return doc as Document;
  }
  const where = candidates.map((u) => fileURLToPath(u)).join(' or ');
  throw new ProcdError(ErrorCode.InternalError, `the OpenRPC document is missing or damaged (looked for ${where}); reinstall procd, or run \`npm run docs\` in its checkout`, { paths: candidates.map((u) => fileURLToPath(u)) });
}
