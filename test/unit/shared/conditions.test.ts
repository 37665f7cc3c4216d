import { describe, expect, it } from 'vitest';
import { WAIT_CONDITIONS, conditionText, type Condition } from '../../../shared/conditions.js';
import { ConditionError, parseCondition } from '../../../shared/condition-parser.js';

function fails(text: string, allowed?: readonly Condition['kind'][]): string {
  try {
    parseCondition(text, allowed);
  } catch (err) {
    expect(err).toBeInstanceOf(ConditionError);
    return (err as Error).message;
  }
  throw new Error(`parsed: ${text}`);
}

describe('parseCondition: good conditions', () => {
  it.each<[string, Condition]>([
    ['output=listening on \\d+', { kind: 'output', pattern: 'listening on \\d+', flags: '' }],
    ['output=/ready/i', { kind: 'output', pattern: 'ready', flags: 'i' }],
    ['output=a=b', { kind: 'output', pattern: 'a=b', flags: '' }],
    ['listen', { kind: 'listen', port: null }],
    ['listen=8080', { kind: 'listen', port: 8080 }],
    ['tcp=5432', { kind: 'tcp', host: '127.0.0.1', port: 5432 }],
    ['tcp=db.local:5432', { kind: 'tcp', host: 'db.local', port: 5432 }],
    ['tcp=[::1]:80', { kind: 'tcp', host: '::1', port: 80 }],
    ['http=http://127.0.0.1:8080/health', { kind: 'http', url: 'http://127.0.0.1:8080/health' }],
    ['exec=pg_isready -q && test -f x', { kind: 'exec', command: 'pg_isready -q && test -f x' }],
  ])('%s', (text, want) => {
    const got = parseCondition(text);
    expect(got).toEqual(want);
    expect(parseCondition(conditionText(got))).toEqual(got);
  });

  it.each<[string, Condition]>([
    ['exit', { kind: 'exit' }],
    ['ready', { kind: 'ready' }],
    ['quiet=30s', { kind: 'quiet', ms: 30_000 }],
    ['state=running', { kind: 'state', state: 'running' }],
    ['port-free=8080', { kind: 'port-free', port: 8080 }],
  ])('wait-only %s', (text, want) => {
    const got = parseCondition(text, WAIT_CONDITIONS);
    expect(got).toEqual(want);
    expect(parseCondition(conditionText(got), WAIT_CONDITIONS)).toEqual(got);
  });
});

describe('parseCondition: bad conditions get a message that says what to type', () => {
  it('suggests the nearest key for a typo', () => {
    expect(fails('lisen=8080')).toBe('unknown condition `lisen`; did you mean `listen`? (one of: output, listen, tcp, http, exec)');
    expect(fails('htp=http://x')).toContain('did you mean `http`?');
    expect(fails('bogus=1')).toBe('unknown condition `bogus` (one of: output, listen, tcp, http, exec)');
  });

  it('refuses a wait-only key in a probe, naming the ones allowed', () => {
    expect(fails('exit')).toBe('condition `exit` cannot be used here; use one of: output, listen, tcp, http, exec');
  });

  it('refuses missing, extra and malformed values', () => {
    expect(fails('')).toContain('empty condition');
    expect(fails('http')).toBe('`http` needs a value, e.g. `http=http://127.0.0.1:8080/health`');
    expect(fails('output=')).toContain('`output` needs a value');
    expect(fails('ready=yes', WAIT_CONDITIONS)).toBe('`ready` takes no value; write just `ready`');
    expect(fails('listen=0')).toBe('`listen`: a port is a number from 1 to 65535, not `0`');
    expect(fails('tcp=host:99999')).toContain('a port is a number from 1 to 65535');
    expect(fails('tcp=:80')).toContain('`tcp` needs [HOST:]PORT');
    expect(fails('http=localhost:8080')).toBe('`http` checks http:// and https:// URLs, not `localhost:8080` (did you mean http://localhost:8080?)');
    expect(fails('http=http://user:secret@127.0.0.1/')).toContain('must not carry a user name or password');
    expect(parseCondition('output=/api/ready')).toEqual({ kind: 'output', pattern: '/api/ready', flags: '' });
    expect(fails('http=not a url')).toContain('`http` needs a URL');
    expect(fails('output=(')).toContain('not a valid regular expression');
    expect(fails('output=/x/g')).toContain('not `g`');
    expect(fails('exec=  ')).toContain('`exec` needs a command');
    expect(fails('quiet=soon', WAIT_CONDITIONS)).toContain('`quiet` needs a duration');
    expect(fails('state=runing', WAIT_CONDITIONS)).toContain('did you mean `running`?');
  });
});
