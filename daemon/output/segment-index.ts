// The output index a job's shim writes (<jobDir>/out/index.<n>): lines `<epochMs> <o|e> <offset>`
// saying when bytes of a stream from an offset on arrived, and in which order the streams
// alternated. segments.ts reads the bytes; this file reads and caches the index.

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { StreamName } from './segments.js';

export interface Entry {
  t: number;
  s: StreamName;
  off: number;
}

// Parsed index segments, keyed by path and validated by size and mtime: every index segment but the
// newest is immutable, so following a busy job does not re-parse its whole index on every read.
const indexCache = new Map<string, { size: number; mtimeMs: number; entries: Entry[] }>();
const INDEX_CACHE_MAX = 64;

export async function readIndex(jobDir: string, segs: readonly { name: string }[]): Promise<Entry[]> {
  const all: Entry[] = [];
  for (const seg of segs) {
    const path = join(jobDir, 'out', seg.name);
    let entries: Entry[];
    try {
      const st = await stat(path);
      const cached = indexCache.get(path);
      if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs) entries = cached.entries;
      else {
        entries = parseIndex(await readFile(path));
        indexCache.delete(path);
        indexCache.set(path, { size: st.size, mtimeMs: st.mtimeMs, entries });
        if (indexCache.size > INDEX_CACHE_MAX) indexCache.delete(indexCache.keys().next().value!);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // the shim dropped it meanwhile
      throw err;
    }
    for (const entry of entries) all.push(entry);
  }
  return all;
}

function parseIndex(buf: Buffer): Entry[] {
  const entries: Entry[] = [];
  const text = buf.toString('latin1');
  const complete = text.lastIndexOf('\n'); // a line still being written is ignored
  for (const line of text.slice(0, complete + 1).split('\n')) {
    const m = /^([0-9]+) ([oe]) ([0-9]+)$/.exec(line);
    if (m) entries.push({ t: Number(m[1]), s: m[2] === 'o' ? 'stdout' : 'stderr', off: Number(m[3]) });
  }
  return entries;
}
