// `procd trends` with a real daemon: finished runs (from the history) and a live job counted in
// their buckets, drawn as charts, as a table and as JSON; a series too long is refused.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrendsResult } from '../../shared/trends.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, parseJson, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  await d?.cleanup();
});

async function trends(args: string[]): Promise<TrendsResult> {
  const r = await d.cli(['trends', '--json', ...args]);
  expectExit(r, 0, `trends --json ${args.join(' ')}`);
  return parseJson(r, 'trends');
}

const sum = (t: TrendsResult, key: 'started' | 'ended' | 'failures') => t.buckets.reduce((n, b) => n + b[key], 0);

describe('trends', () => {
  it('counts runs started, ended and failed per bucket, a live job among the started, and draws them', async () => {
    expectExit(await d.cli(['track', '--wait', '--', 'true']), 0, 'track true');
    expectExit(await d.cli(['track', '--wait', '--shell', 'exit 3']), 3, 'track exit 3');
    await trackJob(d, ['--name', 'live', '--', 'sleep', '300']);
    // The ended runs reach the history a moment after their end.
    const t = await waitFor(async () => {
      const r = await trends(['--since', '10m', '--bucket', '1m']);
      return sum(r, 'ended') >= 2 ? r : null;
    }, { what: 'the two ended runs in the trends', timeoutMs: 30_000 });
    expect(t.bucketMs).toBe(60_000);
    expect(t.buckets.length).toBeGreaterThanOrEqual(10);
    expect(sum(t, 'started')).toBe(3);
    expect(sum(t, 'ended')).toBe(2);
    expect(sum(t, 'failures')).toBe(1);

    const charts = await d.cli(['trends', '--since', '10m', '--bucket', '1m'], { env: { LANG: 'C.UTF-8' } });
    expectExit(charts, 0, 'trends');
    expect(charts.stdout).toMatch(/^started\s+\S*[▁▂▃▄▅▆▇█]/m);
    expect(charts.stdout).toMatch(/^failure rate .*max 100%|^failure rate .*max 50%/m);
    const ascii = await d.cli(['trends', '--since', '10m', '--bucket', '1m'], { env: { PROCD_ASCII: '1' } });
    expect(ascii.stdout).not.toMatch(/[▁▂▃▄▅▆▇█]/);
    const table = await d.cli(['trends', '--since', '10m', '--bucket', '1m', '--table']);
    expectExit(table, 0, 'trends --table');
    expect(table.stdout.split('\n')[0]).toMatch(/^bucket\s+started\s+failures\s+failure rate/);
    // A week of hours is 169 buckets: the charts keep to an 80-column terminal and say what they left out.
    const week = await d.cli(['trends', '--since', '7d', '--bucket', '1h'], { env: { LANG: 'C.UTF-8', COLUMNS: '80' } });
    expectExit(week, 0, 'trends --since 7d --bucket 1h');
    expect(week.stdout.split('\n').filter((l) => [...l].length > 80)).toEqual([]);
    expect(week.stdout).toMatch(/169 buckets of 1h.*\nthe newest \d+ fit the terminal \(\d+ older: --table, or a larger --bucket\)/);
  });

  it('refuses a series of more than 1000 buckets with a clear error, and keeps answering', async () => {
    const r = await d.cli(['trends', '--since', '30d', '--bucket', '1s']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/at most 1000/);
    expectExit(await d.cli(['trends', '--since', '30d', '--bucket', '1h']), 0, 'trends 30d by 1h');
  });
});
