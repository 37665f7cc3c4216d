// When a condition becomes a flag. Daemon-wide defaults, overridable by environment/flags.

export interface Thresholds {
  /** A time sink is raised at elapsed ≥ expected × this (severity medium)... */
  timeSinkFactor: number;
  /** ...and is high at ≥ expected × this. */
  timeSinkHighFactor: number;
  /** CPU % of one core that counts as hogging. */
  cpuPercent: number;
  /** Consecutive samples at or above cpuPercent before the flag is raised. */
  cpuSamples: number;
  /** Fraction of the machine's memory that counts as hogging. */
  memoryFraction: number;
  /** Absolute per-job limits (0 = none): over either is a bottleneck at once. */
  maxCpuPercent: number;
  maxRssBytes: number;
  /** A process in state Z for longer than this is flagged. */
  zombieAfterMs: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  timeSinkFactor: 2,
  timeSinkHighFactor: 3,
  cpuPercent: 80,
  cpuSamples: 3,
  memoryFraction: 0.7,
  maxCpuPercent: 0,
  maxRssBytes: 0,
  zombieAfterMs: 5000,
};
