// The method table's two halves agree, and what derives from it holds together: the spec table
// (schema-free, what the CLI loads) and the schemas have the same methods, the timeout rules name
// real params, and the CLI's command words and aliases are unique.

import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../../client/cli/args.js';
import { COMMANDS, commandHelp, findCommand } from '../../../client/cli/commands-table.js';
import type { MethodSpec } from '../../../shared/method-spec.js';
import { METHOD_SPECS } from '../../../shared/methods.js';
import { METHOD_SCHEMAS } from '../../../shared/schemas/methods.js';

const specs = METHOD_SPECS as Record<string, MethodSpec>;

describe('the method table', () => {
  it('has the same methods in the spec table and the schemas', () => {
    expect(Object.keys(METHOD_SCHEMAS).sort()).toEqual(Object.keys(METHOD_SPECS).sort());
  });

  it('extends timeouts only by params the method has', () => {
    for (const [name, spec] of Object.entries(specs)) {
      if (spec.timeout?.param === undefined) continue;
      expect(Object.keys(METHOD_SCHEMAS[name as keyof typeof METHOD_SCHEMAS].params.entries), name).toContain(spec.timeout.param);
    }
    expect(specs.wait!.timeout).toEqual({ param: 'timeoutMs', unboundedWithout: true });
    expect(specs.logs!.timeout).toEqual({ param: 'waitMs' });
  });

  it('marks the methods a reconnecting client may resend, and the ones that keep their shape across versions', () => {
    const idempotent = Object.keys(specs).filter((n) => specs[n]!.idempotent);
    expect(idempotent).toEqual(expect.arrayContaining(['wait', 'status', 'logs', 'list', 'hello']));
    expect(idempotent).not.toContain('track');
    // rpc.discover answers OpenRPC's shape, not procd's: a client of any version may ask what a daemon speaks.
    expect(Object.keys(specs).filter((n) => specs[n]!.stable).sort()).toEqual(['daemon.status', 'daemon.stop', 'hello', 'rpc.discover']);
  });
});

describe('the CLI derived from it', () => {
  it('has one command per CLI spec, with unique words and aliases', () => {
    const words = COMMANDS.flatMap((c) => [c.spec.command, ...(c.spec.aliases ?? [])]);
    expect(new Set(words).size).toBe(words.length);
    // The methods' commands in table order, then the CLI-only ones.
    const fromTable = Object.values(specs).flatMap((m) => (m.cli ? [m.cli.command] : []));
    expect(COMMANDS.map((c) => c.spec.command)).toEqual([...fromTable, 'daemon', 'group', 'service', 'up', 'down', 'mcp', 'dashboard', 'top']);
    expect(fromTable).toEqual(expect.arrayContaining(['track', 'ls', 'status', 'logs', 'kill', 'wait', 'events']));
    for (const c of COMMANDS) expect(typeof c.load, c.spec.command).toBe('function');
  });

  it('finds commands by alias and builds parseArgs options and help from the spec', () => {
    expect(findCommand('list')?.spec.command).toBe('ls');
    expect(findCommand('start')?.spec.command).toBe('track');
    expect(findCommand('nope')).toBeUndefined();
    const ls = findCommand('ls')!.spec;
    expect(parseCommandArgs(['-a', '--state', 'failed', '--state', 'killed', '--name', 'web'], { options: ls.options })).toEqual({ values: { all: true, state: ['failed', 'killed'], name: 'web' }, positionals: [] });
    expect(commandHelp(ls)).toMatch(/^ {2}-a, --all {15}include every finished job$/m);
    expect(commandHelp(ls)).toMatch(/^ {2}--state STATE {11}only jobs in this state/m);
  });
});
