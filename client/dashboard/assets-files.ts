// The page's files, read once from the build's assets folder (dist/client/dashboard/assets:
// index.html, app.js built by esbuild from assets/app.ts, style.css, favicon.svg, openapi.json copied from
// docs/). Nothing is fetched from elsewhere: the page works offline.

import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** URL path → file in the assets folder: an allow-list, so no path from a request reaches the file system. */
const PAGES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
  '/favicon.svg': 'favicon.svg',
  '/api/openapi.json': 'openapi.json',
};

export interface Asset {
  type: string;
  body: Buffer;
}

export function assetsDir(): string {
  return process.env.PROCD_DASHBOARD_ASSETS ?? fileURLToPath(new URL('./assets/', import.meta.url));
}

/** Loads every page file; a missing one is an error at start (a broken build), not a 404 later. */
export async function loadAssets(dir = assetsDir()): Promise<Map<string, Asset>> {
  const out = new Map<string, Asset>();
  for (const [path, file] of Object.entries(PAGES)) {
    const body = await readFile(join(dir, file)).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`the dashboard's ${file} is missing from ${dir} (${err.code}); run \`npm run build\``);
    });
    out.set(path, { type: TYPES[extname(file)] ?? 'application/octet-stream', body });
  }
  return out;
}
