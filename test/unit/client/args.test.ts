import { describe, expect, it } from 'vitest';
import { asksForHelp, editDistance, parseCommandArgs, suggest, wantsJson, type ArgsSpec } from '../../../client/cli/args.js';
import { ExitError } from '../../../client/cli/exit-codes.js';

const spec: ArgsSpec = {
  options: {
    name: { type: 'string', arg: 'NAME' },
    timeout: { type: 'string', arg: 'DURATION' },
    env: { type: 'string', multiple: true },
    wait: { type: 'boolean' },
    tail: { type: 'string', short: 'n' },
    follow: { type: 'boolean', short: 'f' },
    json: { type: 'boolean' },
  },
  unknownHint: 'options of the job go after --',
};

/** The usage error `args` is refused with (message and data), or the parse when it is accepted. */
function run(args: string[]) {
  try {
    return parseCommandArgs(args, spec);
  } catch (err) {
    if (!(err instanceof ExitError)) throw err;
    return { exitCode: err.exitCode, message: err.message, data: err.data };
  }
}

describe('parseCommandArgs', () => {
  it('splits options, repeated multiples and positionals; everything after -- is positional', () => {
    expect(run(['--name', 'web', '--env', 'A=1', '--env=B=2', '-fn', '5', '--', 'sh', '--name', '-c'])).toEqual({
      values: { name: 'web', env: ['A=1', 'B=2'], follow: true, tail: '5' },
      positionals: ['sh', '--name', '-c'],
    });
  });

  it('takes a negative-looking value (-1s) so that the option itself can say it is negative', () => {
    expect(run(['--timeout', '-1s'])).toEqual({ values: { timeout: '-1s' }, positionals: [] });
  });

  it('suggests the nearest option for a mistyped one, and says where a job’s options go', () => {
    expect(run(['--nmae', 'x'])).toEqual({
      exitCode: 2,
      message: 'unknown option --nmae (did you mean --name?); options of the job go after --',
      data: { option: '--nmae', suggestion: '--name' },
    });
    expect(run(['--folow'])).toMatchObject({ message: expect.stringMatching(/^unknown option --folow \(did you mean --follow\?\)/) });
    expect(run(['--zzzzzz'])).toMatchObject({ message: 'unknown option --zzzzzz; options of the job go after --', data: { option: '--zzzzzz' } });
    expect(run(['-x'])).toMatchObject({ message: 'unknown option -x; options of the job go after --' });
    expect(run(['-9'])).toMatchObject({ message: 'unknown option -9: a signal or a number goes without the dash (9, KILL or SIGKILL)' });
    expect(run(['web', '-15'])).toMatchObject({ message: expect.stringMatching(/^unknown option -15: /) });
  });

  it('refuses a repeated single-valued option instead of silently taking the last', () => {
    expect(run(['--name', 'x', '--name', 'y'])).toMatchObject({ exitCode: 2, message: '--name given twice ("x" and "y"); give it once' });
  });

  it('a missing value, an option where a value belongs, and a value for a switch each get their own message', () => {
    expect(run(['--timeout'])).toMatchObject({ exitCode: 2, message: '--timeout needs a value (DURATION)' });
    expect(run(['--name', '--wait'])).toMatchObject({ message: '--name needs a value (NAME), but "--wait" is an option; to give a value that starts with "-", write --name=--wait' });
    expect(run(['--name=--wait'])).toEqual({ values: { name: '--wait' }, positionals: [] });
    expect(run(['--wait=1'])).toMatchObject({ message: '--wait takes no value (got "1")' });
  });
});

describe('suggest / editDistance', () => {
  it('finds swaps, typos and unique prefixes; nothing for words far from every name', () => {
    expect(editDistance('nmae', 'name')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(suggest('nmae', ['name', 'tag'])).toBe('name');
    expect(suggest('time', ['timeout', 'tag'])).toBe('timeout');
    expect(suggest('t', ['timeout', 'tag'])).toBeNull();
    expect(suggest('verbose', ['name', 'tag'])).toBeNull();
  });
});

describe('wantsJson', () => {
  it('counts --json only before --', () => {
    expect(wantsJson(['--nmae', '--json'])).toBe(true);
    expect(wantsJson(['--', 'jq', '--json'])).toBe(false);
  });
});

describe('asksForHelp', () => {
  it('counts --help, -h and -h among short flags only before --', () => {
    expect(asksForHelp(['--all', '--help'])).toBe(true);
    expect(asksForHelp(['-h'])).toBe(true);
    expect(asksForHelp(['-ah'])).toBe(true);
    expect(asksForHelp(['--', 'ls', '--help'])).toBe(false);
    expect(asksForHelp(['--name', 'web', '--', 'grep', '-h'])).toBe(false);
    expect(asksForHelp(['--all'])).toBe(false);
  });
});
