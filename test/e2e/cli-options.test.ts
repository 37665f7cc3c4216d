// Option values out of the protocol's range are usage errors (exit 2) naming the option the user
// typed, found before any daemon is contacted — never `invalid params.timeoutMs` from the daemon.

import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startTestDaemon, type TestDaemon } from './helpers/daemon.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon({ autostartOnly: true });
});
afterAll(async () => {
  await d?.cleanup();
});

const cases: [string[], RegExp][] = [
  [['track', '--timeout', '0', '--', 'true'], /^procd track: --timeout: "0" is too short: at least 1ms/],
  [['track', '--timeout', '99999999999d', '--', 'true'], /^procd track: --timeout: "99999999999d" is too long: at most 3650d/],
  [['track', '--expect', '0', '--', 'true'], /^procd track: --expect: /],
  [['track', '--stuck-after', '99999d', '--', 'true'], /^procd track: --stuck-after: /],
  [['track', '--max-output', '100', '--', 'true'], /^procd track: --max-output: "100" is too small/],
  [['wait', '1', '--timeout', '99999d'], /^procd wait: --timeout: /],
  [['logs', '1', '--since', '99999d'], /^procd logs: --since: /],
  [['logs', '1', '--tail', '99999999999'], /^procd logs: --tail: /],
  [['kill', '1', '--grace', '99999d'], /^procd kill: --grace: /],
  [['prune', '--older-than', '99999d'], /^procd prune: --older-than: /],
  [['cleanup', '--max-records', '99999999999'], /^procd cleanup: --max-records: /],
  [['status', '0'], /^procd status: "0" is not a job id/],
];

describe('option ranges on the command line', () => {
  it.each(cases)('procd %j is a usage error naming the option', async (args, message) => {
    const r = await d.cli(args);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/params\./);
    expect(r.code).toBe(2);
  });

  it('found them without starting a daemon', async () => {
    const r = await d.cli(['daemon', 'status', '--json', '--no-autostart']);
    expect(JSON.parse(r.stdout)).toMatchObject({ running: false });
  });
});

// procd's own usage messages, never node's parser wording ("ambiguous", "place it at the end").
const usageCases: [string[], string][] = [
  [['track', '--timeout', '-1s', '--', 'true'], 'procd track: --timeout: "-1s" is negative: at least 1ms (leave --timeout out for no timeout)'],
  [['track', '--nmae', 'x', '--', 'true'], 'procd track: unknown option --nmae (did you mean --name?)'],
  [['logs', '1', '--folow'], 'procd logs: unknown option --folow (did you mean --follow?)'],
  [['track', '--name', 'x', '--name', 'y', '--', 'true'], 'procd track: --name given twice ("x" and "y"); give it once'],
  [['track', '--name', '--wait', '--', 'true'], 'procd track: --name needs a value (NAME), but "--wait" is an option'],
  [['adopt', 'abc'], 'procd adopt: "abc" is not a PID: a process id is a whole number'],
  [['adopt'], 'procd adopt: missing PID'],
];

describe('usage messages', () => {
  it.each(usageCases)('procd %j says what to type (exit 2)', async (args, message) => {
    const r = await d.cli(args);
    expect(r.stderr.startsWith(message)).toBe(true);
    expect(r.stderr).not.toMatch(/ambiguous|place it at the end|exactly one PID/);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });
});

describe('--json errors', () => {
  it('a usage error is one JSON object on stdout, in the same shape as a runtime error', async () => {
    const usage = await d.cli(['track', '--json', '--nmae', 'x', '--', 'true']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toEqual({
      error: { code: -32020, name: 'UsageError', message: expect.stringMatching(/^unknown option --nmae/), data: { option: '--nmae', suggestion: '--name' }, exitCode: 2 },
    });
    expect(usage.stderr).toMatch(/^procd track: unknown option --nmae/);
    const late = await d.cli(['adopt', 'abc', '--json']);
    expect(JSON.parse(late.stdout)).toMatchObject({ error: { name: 'UsageError', exitCode: 2 } });
    const runtime = await d.cli(['status', '3', '--json', '--no-autostart']);
    expect(runtime.code).toBe(1);
    expect(JSON.parse(runtime.stdout)).toEqual({ error: { code: -32010, name: 'DaemonUnavailable', message: expect.any(String), data: expect.any(Object), exitCode: 1 } });
  });

  it('an error of the CLI itself (the current directory was deleted) is JSON too: CommandFailed, exit 1', () => {
    const r = spawnSync('sh', ['-c', 'mkdir gone && cd gone && rmdir ../gone && exec "$0" "$@"', process.execPath, CLI, 'track', '--json', '--', 'true'], { env: d.env, cwd: d.home, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: -32021, name: 'CommandFailed', message: expect.stringMatching(/current directory no longer exists/), data: {}, exitCode: 1 } });
  });

  it('--json after -- belongs to the job: the usage error stays text', async () => {
    const r = await d.cli(['track', '--nmae', 'x', '--', 'jq', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
