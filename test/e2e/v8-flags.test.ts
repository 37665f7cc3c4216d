// The daemon runs with V8 tuned for memory (daemon/v8-flags.ts): the flags it applied are in its
// start log line; PROCD_V8_FLAGS=none turns them off; a value that is not a list of --flags is
// refused with a warning in `daemon status`, the defaults are used, and the daemon runs on.

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | null = null;
afterEach(async () => {
  await d?.cleanup();
  d = null;
});

/** The `daemon started` line of the daemon's log. */
async function startLine(t: TestDaemon): Promise<{ v8Flags?: string[] }> {
  await daemonStatus(t); // autostarts it
  return waitFor(
    () => {
      const text = (() => {
        try {
          return readFileSync(t.paths.logFile, 'utf8');
        } catch {
          return '';
        }
      })();
      const line = text.split('\n').find((l) => l.includes('"msg":"daemon started"'));
      return line ? (JSON.parse(line) as { v8Flags?: string[] }) : null;
    },
    { what: 'the daemon started log line', timeoutMs: 20_000 },
  );
}

describe('the daemon V8 flags', () => {
  it('are --semi-space-growth-factor=1 unless told otherwise, and say so in the start log line', async () => {
    d = await startTestDaemon({ env: { PROCD_V8_FLAGS: undefined } });
    expect((await startLine(d)).v8Flags).toEqual(['--semi-space-growth-factor=1']);
  });

  it('PROCD_V8_FLAGS=none leaves V8 as it is', async () => {
    d = await startTestDaemon({ env: { PROCD_V8_FLAGS: 'none' } });
    expect((await startLine(d)).v8Flags).toEqual([]);
  });

  it('a value that is not a list of --flags: the defaults, a warning in daemon status, and the daemon works', async () => {
    d = await startTestDaemon({ env: { PROCD_V8_FLAGS: 'optimize; rm -rf' } });
    expect((await startLine(d)).v8Flags).toEqual(['--semi-space-growth-factor=1']);
    const st = await daemonStatus(d);
    expect(st.warnings.join('\n')).toMatch(/PROCD_V8_FLAGS=optimize; rm -rf is not "none" or a list of --flags/);
    const track = await d.cli(['track', '--', 'true']);
    expect(track.code).toBe(0);
  });
});
