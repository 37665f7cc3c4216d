// The metric families (daemon/metrics/families.ts), the latency histogram (rpc-latency.ts) and the
// restart counter (daemon-metrics.ts): bounded per-job series, zero-filled closed label sets,
// histogram buckets by upper bound, a counter that only goes up.

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { DaemonMetrics } from '../../../daemon/metrics/daemon-metrics.js';
import { busiest, metricFamilies, type MetricsInput } from '../../../daemon/metrics/families.js';
import { RpcLatency } from '../../../daemon/metrics/rpc-latency.js';
import type { Job, JobFlag, ResourceStats } from '../../../shared/job.js';
import type { MetricFamily } from '../../../shared/metrics.js';
import { completedState, makeJob, runningState, T0 } from '../../helpers/job-factory.js';

function resources(cpuPercent: number | null, rssBytes: number): ResourceStats {
  const last = { at: T0, cpuPercent, cpuTimeMs: 1500, rssBytes, mainRssBytes: rssBytes, processes: 1, threads: 1, fds: 3, states: { S: 1 } };
  return { samples: 2, cpuSamples: 1, cpuPeak: cpuPercent ?? 0, cpuAvg: cpuPercent ?? 0, rssPeak: rssBytes, rssAvg: rssBytes, processesPeak: 1, last };
}
const flag = (kind: JobFlag['kind']): JobFlag => ({ kind, raisedAt: T0, detail: '', severity: 'medium', pids: [], data: {} });
const live = (id: number, cpu: number | null, rss: number, over: Partial<Job> = {}) => makeJob({ id, name: `job-${id}`, state: runningState(), resources: resources(cpu, rss), ...over });

function input(jobs: Job[], topJobs = 20): MetricsInput {
  return {
    jobs,
    topJobs,
    restarts: 4,
    rpc: [],
    droppedSubscribers: 1,
    unsavedEvents: 0,
    connections: 2,
    daemon: { rssBytes: 50e6, cpuSeconds: 1.5, startTimeSeconds: T0 / 1000 },
    build: { version: '0.1.0', node: 'v20.20.0', protocol: '1' },
  };
}
const family = (fs: MetricFamily[], name: string) => fs.find((f) => f.name === name)!;
const values = (f: MetricFamily) => f.samples.map((s) => ('value' in s ? [s.labels, s.value] : [s.labels, s.count]));

describe('metricFamilies', () => {
  it('counts jobs by every state and jobs by flag kind (zeros included, a job once per kind)', () => {
    const fs = metricFamilies(input([live(1, 5, 10, { flags: [flag('stuck'), flag('stuck')] }), makeJob({ id: 2, state: completedState() }), live(3, 1, 10, { flags: [flag('zombie')] })]));
    const jobs = family(fs, 'procd_jobs');
    expect(values(jobs)).toContainEqual([{ state: 'running' }, 2]);
    expect(values(jobs)).toContainEqual([{ state: 'completed' }, 1]);
    expect(values(jobs)).toContainEqual([{ state: 'queued' }, 0]);
    expect(jobs.samples).toHaveLength(9);
    expect(values(family(fs, 'procd_jobs_flagged'))).toEqual([
      [{ kind: 'stuck' }, 1],
      [{ kind: 'time_sink' }, 0],
      [{ kind: 'bottleneck' }, 0],
      [{ kind: 'zombie' }, 1],
      [{ kind: 'leftovers' }, 0],
      [{ kind: 'unhealthy' }, 0],
    ]);
    expect(values(family(fs, 'procd_up'))).toEqual([[{}, 1]]);
    expect(family(fs, 'procd_build_info').samples[0]!.labels).toEqual({ version: '0.1.0', node: 'v20.20.0', protocol: '1' });
    expect(values(family(fs, 'procd_restarts_total'))).toEqual([[{}, 4]]);
    expect(family(fs, 'procd_restarts_total').type).toBe('counter');
  });

  it('gives per-job CPU and memory for at most topJobs live jobs, the busiest, labelled by id and name only', () => {
    const jobs = [live(1, 5, 100), live(2, 90, 50), live(3, null, 900), live(4, 5, 300), makeJob({ id: 5, state: completedState(), resources: resources(99, 999) })];
    const fs = metricFamilies(input(jobs, 3));
    expect(values(family(fs, 'procd_job_cpu_ratio'))).toEqual([
      [{ job: '2', name: 'job-2' }, 0.9],
      [{ job: '4', name: 'job-4' }, 0.05],
      [{ job: '1', name: 'job-1' }, 0.05],
    ]);
    expect(values(family(fs, 'procd_job_cpu_seconds_total'))).toEqual([
      [{ job: '2', name: 'job-2' }, 1.5],
      [{ job: '4', name: 'job-4' }, 1.5],
      [{ job: '1', name: 'job-1' }, 1.5],
    ]);
    expect(family(fs, 'procd_job_cpu_seconds_total').type).toBe('counter');
    expect(values(family(fs, 'procd_job_resident_memory_bytes')).map(([l]) => l)).toEqual([{ job: '2', name: 'job-2' }, { job: '4', name: 'job-4' }, { job: '1', name: 'job-1' }]);
    // Job 3 (no CPU reading yet) is left out by the bound; the ended job 5 is never listed.
    expect(values(family(fs, 'procd_jobs_unlisted'))).toEqual([[{}, 1]]);
    const none = metricFamilies(input(jobs, 0));
    expect(family(none, 'procd_job_cpu_ratio').samples).toEqual([]);
    expect(values(family(none, 'procd_jobs_unlisted'))).toEqual([[{}, 4]]);
    // A job without a CPU reading has memory but no CPU sample.
    expect(values(family(metricFamilies(input([live(3, null, 900)])), 'procd_job_cpu_ratio'))).toEqual([]);
  });

  it("follows Prometheus' naming rules (promtool's lint): _total on counters only, base units, unique names, a help line each", () => {
    const fs = metricFamilies(input([live(1, 5, 10)]));
    expect(new Set(fs.map((f) => f.name)).size).toBe(fs.length);
    for (const f of fs) {
      expect(f.name, f.name).toMatch(/^[a-z_]+$/);
      expect(f.name.endsWith('_total'), `${f.name} is a ${f.type}`).toBe(f.type === 'counter');
      expect(f.name, f.name).not.toMatch(/_(percent|ms|milliseconds|kb|mb|sec)(_|$)/);
      expect(f.help.length, f.name).toBeGreaterThan(10);
    }
  });

  it('keeps the per-job set bounded with many jobs', () => {
    const many = Array.from({ length: 500 }, (_, i) => live(i + 1, i % 7, 1000 + i));
    expect(busiest(many, 20)).toHaveLength(20);
    expect(family(metricFamilies(input(many)), 'procd_job_resident_memory_bytes').samples).toHaveLength(20);
  });
});

describe('RpcLatency', () => {
  it('counts each call in the first bucket whose bound it does not exceed, and exports cumulative counts per method', () => {
    const h = new RpcLatency([0.001, 0.01, 0.1]);
    h.record('status', 0.0002);
    h.record('status', 0.001); // on the bound: counted in it (le is "less than or equal")
    h.record('status', 0.05);
    h.record('status', 3); // above every bound: only in +Inf (the count)
    h.record('kill', 0.02);
    const [kill, status] = h.samples();
    expect(kill).toEqual({ labels: { method: 'kill' }, buckets: [{ le: 0.001, count: 0 }, { le: 0.01, count: 0 }, { le: 0.1, count: 1 }], count: 1, sum: 0.02 });
    expect(status!.buckets).toEqual([{ le: 0.001, count: 2 }, { le: 0.01, count: 2 }, { le: 0.1, count: 3 }]);
    expect(status!.count).toBe(4);
    expect(status!.sum).toBeCloseTo(3.0512, 10);
  });
});

describe('DaemonMetrics', () => {
  it('counts restarts as the job table records them, never down (a removed record does not lower it)', () => {
    const table = new EventEmitter<{ change: [{ job: Job; before: Job | null }] }>();
    const m = new DaemonMetrics(table as never);
    const runs = (restarts: number) => ({ current: restarts + 1, restarts, earlier: [], history: { restartTimes: [], quickFailures: 0 } });
    const first = makeJob({ id: 1, runs: runs(2) });
    table.emit('change', { job: first, before: null }); // a loaded or new record: not a restart now
    expect(m.restarts).toBe(0);
    const again = makeJob({ id: 1, runs: runs(3) });
    table.emit('change', { job: again, before: first });
    table.emit('change', { job: again, before: again });
    expect(m.restarts).toBe(1);
    table.emit('change', { job: makeJob({ id: 2, runs: runs(1) }), before: makeJob({ id: 2 }) });
    expect(m.restarts).toBe(2);
  });
});
