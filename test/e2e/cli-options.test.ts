// Option values out of the protocol's range are usage errors (exit 2) naming the option the user
// typed, found before any daemon is contacted — never `invalid params.timeoutMs` from the daemon.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';

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
