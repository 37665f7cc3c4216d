// mapStack: frames of a file with a source map point at the source; everything else is kept.

import { SourceMap, type SourceMapPayload } from 'node:module';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { mapStack } from '../../../daemon/stack-map.js';

// Two source lines on one generated line (as in the minified bundle); the map says where each came from.
const built = transformSync("export function a() {\n  return 1;\n}\nexport function boom() {\n  throw new Error('x');\n}\n", { loader: 'ts', format: 'cjs', minifyWhitespace: true, sourcemap: 'external', sourcefile: '../../daemon/x.ts' });
const map = new SourceMap(JSON.parse(built.map) as SourceMapPayload);
const throwColumn = built.code.indexOf('throw') + 1;
const lookup = (file: string) => (file === '/opt/procd/dist/daemon/procd-daemon.cjs' ? map : null);

describe('mapStack', () => {
  it('points a frame of the mapped file at its source line, named and anonymous frames alike', () => {
    const line = built.code.slice(0, built.code.indexOf('throw')).split('\n').length;
    const stack = `Error: x\n    at boom (/opt/procd/dist/daemon/procd-daemon.cjs:${line}:${throwColumn})\n    at /opt/procd/dist/daemon/procd-daemon.cjs:${line}:${throwColumn}`;
    expect(mapStack(stack, lookup)).toBe('Error: x\n    at boom (/opt/procd/daemon/x.ts:5:3)\n    at /opt/procd/daemon/x.ts:5:3');
  });

  it('keeps frames of files without a map, node internals and the message lines as they are', () => {
    const stack = 'Error: two\nlines\n    at f (/elsewhere/app.js:3:7)\n    at process.processImmediate (node:internal/timers:483:21)';
    expect(mapStack(stack, lookup)).toBe(stack);
  });
});
