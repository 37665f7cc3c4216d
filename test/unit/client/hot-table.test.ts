// The bin's bundle (dist/client/cli/hot.js) carries the method table without its help and docs text
// (bundle-cli-table.mjs): every method's doc line and the CLI specs of the commands it leaves to
// cli.js stay out of what each `procd ls` parses. These tests check that what the bin's code reads
// from the table is exactly the source table's, and that the text really is left out.

import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, type CliBundle } from '../../../bundle-cli.mjs';
import { HOT_COMMANDS, hotCliSpec, hotMethodsSource, hotTable } from '../../../bundle-cli-table.mjs';
import { CAPABILITIES, LIMITS, METHOD_SPECS, PROTOCOL_VERSION } from '../../../shared/methods.js';
import type { MethodSpec } from '../../../shared/method-spec.js';
import { findHotCommand } from '../../../client/cli/hot-commands.js';

const SPECS: Readonly<Record<string, MethodSpec>> = METHOD_SPECS;

/** The generated module, loaded as the ES module it is. */
async function loadGenerated(source: string): Promise<Record<string, unknown>> {
  return (await import(`data:text/javascript,${encodeURIComponent(source)}`)) as Record<string, unknown>;
}

describe("the bin's projection of the method table", () => {
  it('keeps the CLI specs of exactly the commands the bin runs (client/cli/hot-commands.ts)', () => {
    const commands = Object.values(SPECS).flatMap((m) => (m.cli ? [m.cli.command] : []));
    expect(commands.filter((c) => findHotCommand(c) !== undefined).sort()).toEqual([...HOT_COMMANDS].sort());
  });

  it('leaves out doc lines and the other CLI specs, and keeps every other field as it is', () => {
    const hot = hotTable(SPECS);
    expect(Object.keys(hot)).toEqual(Object.keys(SPECS));
    for (const [name, spec] of Object.entries(SPECS)) {
      const { doc: _doc, cli, ...rest } = spec;
      const projected = hot[name]!;
      expect(projected).not.toHaveProperty('doc');
      // What the client reads per call: the timeout rule, idempotent (retry), stable (across versions).
      expect({ ...projected, cli: undefined }).toEqual({ ...rest, cli: undefined });
      expect(projected.cli).toEqual(cli && HOT_COMMANDS.includes(cli.command) ? hotCliSpec(cli) : undefined);
      if (projected.cli) {
        // What parsing reads stays; help text goes (the bin hands --help to cli.js).
        expect(projected.cli).toMatchObject({ command: cli!.command, positionals: cli!.positionals });
        expect(Object.keys(projected.cli)).not.toEqual(expect.arrayContaining(['brief']));
        for (const [name, option] of Object.entries(projected.cli.options)) {
          expect(option, name).not.toHaveProperty('help');
          const { help: _help, ...parsing } = cli!.options[name]!;
          expect(option, name).toEqual(parsing);
        }
      }
    }
  });

  it("generates a module with shared/methods.ts's data exports: the table projected, the rest equal", async () => {
    const mod = await loadGenerated(hotMethodsSource({ PROTOCOL_VERSION, CAPABILITIES, LIMITS, METHOD_SPECS, methods: METHOD_SPECS }));
    expect(mod.METHOD_SPECS).toEqual(hotTable(SPECS));
    expect(mod.methods).toBe(mod.METHOD_SPECS);
    expect(mod.PROTOCOL_VERSION).toBe(PROTOCOL_VERSION);
    expect(mod.CAPABILITIES).toEqual(CAPABILITIES);
    expect(mod.LIMITS).toEqual(LIMITS);
  });

  it('refuses an export that is not plain data rather than carry a changed copy of it', () => {
    expect(() => hotMethodsSource({ METHOD_SPECS: {}, LIMIT: Infinity })).toThrow(/exports LIMIT, which is not plain JSON data/);
    expect(() => hotMethodsSource({ METHOD_SPECS: {}, WHEN: new Date(0) })).toThrow(/exports WHEN/);
  });

  describe('in the built files', () => {
    let bundle: CliBundle;
    const text = (name: string) => bundle.outputFiles.find((f) => f.path.endsWith(`/dist/client/cli/${name}`))!.text;
    beforeAll(async () => {
      bundle = await bundleCli({ write: false });
    });

    it('the bin holds no doc line and no command\'s help, not even its own; cli.js holds them all', () => {
      const bin = text('hot.js');
      const full = text('cli.js');
      const docs = Object.values(SPECS).map((m) => m.doc);
      const others = Object.values(SPECS).flatMap((m) => (m.cli && !HOT_COMMANDS.includes(m.cli.command) ? [m.cli.summary] : []));
      const own = Object.values(SPECS).flatMap((m) => (m.cli && HOT_COMMANDS.includes(m.cli.command) ? [m.cli.summary] : []));
      // esbuild picks each string's quotes: look for the longest run of the text that needs no escaping.
      const marker = (s: string) => s.split(/["'`\\]/).reduce((a, b) => (b.length > a.length ? b : a), '');
      const inFile = (file: string) => (s: string) => file.includes(marker(s));
      expect(docs.filter(inFile(bin))).toEqual([]);
      expect(others.filter(inFile(bin))).toEqual([]);
      expect(own.filter(inFile(bin))).toEqual([]);
      expect(own.filter(inFile(full))).toEqual(own);
      expect(docs.filter(inFile(full))).toEqual(docs);
      expect(others.filter(inFile(full))).toEqual(others);
    });
  });
});
