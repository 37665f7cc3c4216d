// `procd metrics` on a real daemon, read by a real parser (python3-prometheus-client): jobs by state,
// a busy job's CPU and memory, the bound on per-job series, restarts, the RPC latency histogram.

import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';
import { parsePrometheusText, prometheusParserMissing, type ParsedFamily } from '../helpers/prometheus-parser.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

async function scrape(args: string[] = []): Promise<ParsedFamily[]> {
  const r = await d!.cli(['metrics', ...args]);
  expectExit(r, 0, `metrics ${args.join(' ')}`);
  return parsePrometheusText(r.stdout);
}
const family = (fs: ParsedFamily[], name: string) => fs.find((f) => f.name === name);
const value = (fs: ParsedFamily[], name: string, labels: Record<string, string> = {}) =>
  family(fs, name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

const missing = prometheusParserMissing();
describe.skipIf(missing !== null)(`procd metrics${missing ? ` — skipped: ${missing}` : ''}`, () => {
  it('parses, counts jobs by state, and gives the busy job its CPU and memory under its id and name', async () => {
    d = await startTestDaemon();
    const busy = await trackJob(d, ['--name', 'spin"er', '--', 'sh', '-c', 'while :; do :; done']);
    await trackJob(d, ['--name', 'idle', '--', 'sleep', '300']);
    expectExit(await d.cli(['track', '--wait', '--shell', 'exit 3']), 3, 'track exit 3');
    const fs = await waitFor(async () => {
      const m = await scrape();
      return (value(m, 'procd_job_cpu_ratio', { job: String(busy.id) }) ?? 0) > 0.05 ? m : null;
    }, { what: 'a CPU reading of the busy job', timeoutMs: 30_000 });
    expect(value(fs, 'procd_up')).toBe(1);
    expect(value(fs, 'procd_jobs', { state: 'running' })).toBe(2);
    expect(value(fs, 'procd_jobs', { state: 'failed' })).toBe(1);
    expect(family(fs, 'procd_jobs')!.samples).toHaveLength(9);
    const cpu = family(fs, 'procd_job_cpu_ratio')!.samples.find((s) => s.labels.job === String(busy.id))!;
    expect(cpu.labels).toEqual({ job: String(busy.id), name: 'spin"er' });
    expect(value(fs, 'procd_job_resident_memory_bytes', { job: String(busy.id) })).toBeGreaterThan(0);
    expect(value(fs, 'procd_job_cpu_seconds', { job: String(busy.id) })).toBeGreaterThan(0);
    expect(family(fs, 'procd_build_info')!.samples[0]!.labels).toMatchObject({ version: expect.any(String), node: process.version });
    expect(value(fs, 'process_resident_memory_bytes')).toBeGreaterThan(10 << 20);
    expect(family(fs, 'procd_restarts')!.type).toBe('counter');
    // The calls above were timed: track's histogram holds three calls, its +Inf bucket equal to its count.
    const track = family(fs, 'procd_rpc_duration_seconds')!.samples.filter((s) => s.labels.method === 'track');
    expect(track.find((s) => s.name.endsWith('_count'))!.value).toBe(3);
    expect(track.find((s) => s.labels.le === '+Inf')!.value).toBe(3);

    const bounded = await scrape(['--top', '0']);
    expect(family(bounded, 'procd_job_resident_memory_bytes')!.samples).toEqual([]);
    expect(value(bounded, 'procd_jobs_unlisted')).toBe(2);
    const json = await d.cli(['metrics', '--json', '--top', '1']);
    expectExit(json, 0, 'metrics --json');
    expect((JSON.parse(json.stdout) as { name: string; samples: unknown[] }[]).find((f) => f.name === 'procd_job_resident_memory_bytes')!.samples).toHaveLength(1);
  });

  it('counts a restart, and refuses a bad --top with a usage error', async () => {
    d = await startTestDaemon();
    // The parser names a counter's family without _total (its sample keeps it).
    const done = await trackJob(d, ['--name', 'once', '--wait', '--', 'true']);
    expect(value(await scrape(), 'procd_restarts')).toBe(0);
    expectExit(await d.cli(['restart', String(done.id)]), 0, 'restart');
    await waitFor(async () => (value(await scrape(), 'procd_restarts') === 1 ? true : null), { what: 'the restart counted', timeoutMs: 30_000 });
    const bad = await d.cli(['metrics', '--top', 'many']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--top/);
  });
});
