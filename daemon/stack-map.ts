// Stack traces of the daemon's faults in source positions. The daemon runs from its bundle
// (bundle-daemon.mjs), where a frame reads `procd-daemon.cjs:14:51234`; node's
// --enable-source-maps would map every stack but costs ~90 ms of CPU at each start (it reads and
// parses the 2 MB map as the bundle loads), so the map is read here, only when a fault is
// reported (crash.json, the fatal log line, an unhandled rejection), and kept for the next one.

import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { dirname, resolve } from 'node:path';

/** A frame's location: `(file:line:col)` or, for an anonymous frame, `at file:line:col`. */
const FRAME = /^(\s+at (?:.*? \()?)(\/[^():]+):(\d+):(\d+)(\)?)$/;

const maps = new Map<string, SourceMap | null>();

/** The source map beside `file` (file.map), or null when it has none or it does not parse. */
function mapOf(file: string): SourceMap | null {
  if (!maps.has(file)) {
    let map: SourceMap | null = null;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as SourceMapPayload);
    } catch {
      // no map (or a damaged one): the frame stays as it is
    }
    maps.set(file, map);
  }
  return maps.get(file) ?? null;
}

/**
 * The stack with each frame of a file that has a source map beside it pointing at the source
 * (`daemon/jobs/x.ts:12:5`, absolute); other frames, and lines that are not frames, unchanged.
 */
export function mapStack(stack: string, lookup: (file: string) => SourceMap | null = mapOf): string {
  return stack
    .split('\n')
    .map((line) => {
      const m = FRAME.exec(line);
      if (!m) return line;
      const [, head, file, lineNo, col, tail] = m as unknown as [string, string, string, string, string, string];
      const entry = lookup(file)?.findEntry(Number(lineNo) - 1, Number(col) - 1);
      if (!entry || !('originalSource' in entry) || !entry.originalSource) return line;
      const source = entry.originalSource.startsWith('file://') ? new URL(entry.originalSource).pathname : resolve(dirname(file), entry.originalSource);
      return `${head}${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}${tail}`;
    })
    .join('\n');
}

/** Maps `err.stack` in place (Error objects only), so every report of it (crash.json, the log, stderr) names source positions. */
export function mapErrorStack(err: unknown): void {
  try {
    if (err instanceof Error && typeof err.stack === 'string') err.stack = mapStack(err.stack);
  } catch {
    // a report without mapped frames rather than none
  }
}
