// optionsFromEnv(): the daemon's configuration from its environment, and what happens to bad values.

import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from '../../../daemon/main.js';

describe('optionsFromEnv', () => {
  it('reads durations, sizes, counts and thresholds', () => {
    const o = optionsFromEnv({
      PROCD_GRACE: '2s', PROCD_MAX_OUTPUT: '64m', PROCD_STUCK_AFTER: '0', PROCD_SAMPLE_INTERVAL: '500ms', PROCD_AUTO_CLEANUP: 'off',
      PROCD_RETENTION: '1d', PROCD_MAX_RECORDS: '500', PROCD_CPU_THRESHOLD: '90', PROCD_CPU_SAMPLES: '4', PROCD_MEMORY_FRACTION: '0.5',
      PROCD_ZOMBIE_AFTER: '10s', PROCD_MAX_RSS: '1g', PROCD_MAX_CPU: '150', PROCD_TIME_SINK_FACTOR: '1.5', PROCD_TIME_SINK_HIGH_FACTOR: '4',
    });
    expect(o).toMatchObject({
      defaultGraceMs: 2000, defaultMaxOutputBytes: 64 << 20, defaultStuckAfterMs: 0, sampleIntervalMs: 500, autoCleanupDelayMs: null,
      retentionMs: 86_400_000, maxRecords: 500, configWarnings: [],
      thresholds: { cpuPercent: 90, cpuSamples: 4, memoryFraction: 0.5, zombieAfterMs: 10_000, maxRssBytes: 1 << 30, maxCpuPercent: 150, timeSinkFactor: 1.5, timeSinkHighFactor: 4 },
    });
    expect(optionsFromEnv({ PROCD_AUTO_CLEANUP: '5s' }).autoCleanupDelayMs).toBe(5000);
  });

  it('uses the default for a value that does not parse, and says so', () => {
    const o = optionsFromEnv({ PROCD_SAMPLE_INTERVAL: 'abc', PROCD_MEMORY_FRACTION: '7', PROCD_SAMPLE_INTERVAL_UNUSED: 'x', PROCD_AUTO_CLEANUP: 'later', PROCD_GRACE: '' });
    expect(o.sampleIntervalMs).toBeUndefined();
    expect(o.thresholds?.memoryFraction).toBeUndefined();
    expect(o.autoCleanupDelayMs).toBe(2000);
    expect(o.defaultGraceMs).toBeUndefined();
    expect(o.configWarnings).toEqual([
      'PROCD_SAMPLE_INTERVAL=abc is not a positive duration (e.g. 2s); the default is used',
      'PROCD_AUTO_CLEANUP=later is not "off" or a delay (e.g. 2s); the default is used',
      'PROCD_MEMORY_FRACTION=7 is not a fraction between 0.01 and 1; the default is used',
    ]);
    expect(optionsFromEnv({ PROCD_SAMPLE_INTERVAL: '0s' }).configWarnings).toHaveLength(1);
  });
});
