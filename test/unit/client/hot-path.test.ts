// The CLI's hot path (`ls`, `status`, `track`) must not load a schema library, the YAML parser (`procd up` only) or the daemon's code:
// each costs start-up time on every call (zod ~107 ms, valibot ~18 ms here, against ~100 ms for
// `node -e 0`). Checked on the real bundle's module graph (esbuild's metafile, built in memory):
// what runs for a command is the static-import closure of the CLI's entry plus that of the
// command's module (esbuild initialises a dynamically imported module, and what it imports
// statically, on first use).

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, type CliBundle } from '../../../bundle-cli.mjs';

interface Metafile {
  inputs: Record<string, { imports: { path: string; kind: string; external?: boolean }[] }>;
  outputs?: Record<string, { bytes: number; inputs: Record<string, unknown> }>;
}

const ENTRY = 'client/cli/main.ts';
const HOT = ['ls', 'status', 'track'];

/** Every input (and external import) reached from `start` through static imports. */
function staticClosure(meta: Metafile, start: string): Set<string> {
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length) {
    const path = todo.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const imp of meta.inputs[path]?.imports ?? []) {
      if (imp.kind === 'dynamic-import') continue;
      if (imp.external) seen.add(`external:${imp.path}`);
      else todo.push(imp.path);
    }
  }
  return seen;
}

/** The module a command is loaded from: a dynamic import of the entry's closure ending in commands/<name>.ts. */
function commandModule(meta: Metafile, name: string): string {
  for (const path of staticClosure(meta, ENTRY)) {
    const found = meta.inputs[path]?.imports.find((i) => i.kind === 'dynamic-import' && i.path.endsWith(`/commands/${name}.ts`));
    if (found) return found.path;
  }
  throw new Error(`no lazily loaded module for the command "${name}" in the CLI bundle`);
}

/** What the hot path of `command` loads that it must not: schema libraries, daemon code. */
function forbiddenOnPath(meta: Metafile, command: string): string[] {
  const loaded = new Set([...staticClosure(meta, ENTRY), ...staticClosure(meta, commandModule(meta, command))]);
  return [...loaded].filter(
    (p) => /(^|\/)node_modules\/(valibot|@valibot\/[^/]+|zod|yaml)\//.test(p) || p === 'external:yaml' || p === 'external:./yaml.js' || p.startsWith('daemon/') || (p.startsWith('external:') && /(^|\/)daemon\//.test(p)),
  );
}

describe('the CLI hot path', () => {
  let bundled: Metafile;
  let files: CliBundle['outputFiles'];
  beforeAll(async () => {
    const bundle = await bundleCli({ write: false });
    bundled = bundle.metafile;
    files = bundle.outputFiles;
  });

  it.each(HOT)('`procd %s` loads no schema library and no daemon code', (command) => {
    expect(forbiddenOnPath(bundled, command)).toEqual([]);
  });

  // The bin's bundle (hot.js, which the bin main.js compiles) is what every hot call compiles: the other commands, their helpers
  // and the full command table live in cli.js, loaded only for them (test/e2e/ls-load.test.ts
  // checks the same at run time, with the file's byte budget).
  it('the bin file holds the hot commands only; the others are in cli.js', () => {
    const inBin = Object.keys(bundled.outputs?.['dist/client/cli/hot.js']?.inputs ?? {});
    const inFull = Object.keys(bundled.outputs?.['dist/client/cli/cli.js']?.inputs ?? {});
    const commandsIn = (inputs: string[]) => inputs.filter((p) => p.startsWith('client/cli/commands/')).map((p) => p.slice('client/cli/commands/'.length, -3)).sort();
    expect(commandsIn(inBin)).toEqual([...HOT].sort());
    expect(inBin.filter((p) => p.startsWith('client/service/') || p === 'client/cli/commands-table.ts' || p === 'client/cli/cli.ts')).toEqual([]);
    expect(commandsIn(inFull)).toEqual(expect.arrayContaining(['daemon', 'events', 'logs', 'service', ...HOT]));
  });

  // shared/version.ts reads package.json when it loads; the bundles ship with that file, so they
  // carry the version as a literal and every call saves the read.
  it('both files carry the package version as a literal and read no package.json', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const name of ['hot.js', 'cli.js']) {
      const text = files.find((f) => f.path.endsWith(`/dist/client/cli/${name}`))!.text;
      expect(text).toContain(`VERSION=${JSON.stringify(version)}`);
      expect(text).not.toContain('package.json');
    }
  });

  // `procd mcp` (the MCP SDK with zod, ~800 KiB) is its own bundle: no other command parses it.
  it('the MCP server and its SDK are in mcp.js only, which only the mcp command requires', () => {
    const heavy = (p: string) => /(^|\/)node_modules\/(@modelcontextprotocol\/[^/]+|zod)\//.test(p) || p.startsWith('client/mcp/');
    for (const name of ['hot.js', 'cli.js']) expect(Object.keys(bundled.outputs?.[`dist/client/cli/${name}`]?.inputs ?? {}).filter(heavy)).toEqual([]);
    expect(Object.keys(bundled.outputs?.['dist/client/cli/mcp.js']?.inputs ?? {}).filter(heavy).length).toBeGreaterThan(10);
    const requiring = Object.entries(bundled.inputs).filter(([, i]) => i.imports.some((imp) => imp.external && imp.path === './mcp.js')).map(([path]) => path);
    expect(requiring).toEqual(['client/cli/commands/mcp.ts']);
  });

  it('the check sees a forbidden module reached statically, and ignores one behind a dynamic import', () => {
    const meta: Metafile = {
      inputs: {
        [ENTRY]: { imports: [{ path: 'client/index.ts', kind: 'import-statement' }, { path: 'client/cli/commands/ls.ts', kind: 'dynamic-import' }, { path: 'client/cli/commands/daemon.ts', kind: 'dynamic-import' }] },
        'client/index.ts': { imports: [{ path: 'shared/methods.ts', kind: 'import-statement' }] },
        'shared/methods.ts': { imports: [{ path: 'node_modules/valibot/dist/index.js', kind: 'import-statement' }] },
        'node_modules/valibot/dist/index.js': { imports: [] },
        'client/cli/commands/ls.ts': { imports: [{ path: '../../daemon/main.js', kind: 'import-statement', external: true }, { path: 'daemon/jobs/x.ts', kind: 'require-call' }] },
        'daemon/jobs/x.ts': { imports: [] },
        'client/cli/commands/daemon.ts': { imports: [{ path: 'node_modules/zod/index.js', kind: 'dynamic-import' }] },
      },
    };
    expect(forbiddenOnPath(meta, 'ls').sort()).toEqual(['daemon/jobs/x.ts', 'external:../../daemon/main.js', 'node_modules/valibot/dist/index.js']);
    expect(() => forbiddenOnPath(meta, 'track')).toThrow(/no lazily loaded module for the command "track"/);
  });
});
