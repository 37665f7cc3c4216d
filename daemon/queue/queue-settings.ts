// The queue's daemon settings and resource-aware admission: start queued work only while the
// machine has at least PROCD_ADMIT_MIN_MEMORY available and a 1-minute load per core below
// PROCD_ADMIT_MAX_LOAD (both off by default). The rule is a pure function; the reading of the
// machine is a thin layer.

import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg } from 'node:os';
import { formatBytes } from '../../shared/duration.js';
import type { QueueOptions } from './job-queue.js';

export interface QueueSettings {
  maxRunning?: number;
  agingStepMs?: number;
  admitMinMemoryBytes?: number;
  admitMaxLoadPerCore?: number;
}

export const DEFAULT_AGING_STEP_MS = 30_000;

export function queueOptions(s: QueueSettings = {}): QueueOptions {
  const limits = { minMemory: s.admitMinMemoryBytes ?? null, maxLoad: s.admitMaxLoadPerCore ?? null };
  const on = limits.minMemory !== null || limits.maxLoad !== null;
  return {
    maxRunning: s.maxRunning ?? null,
    agingStepMs: s.agingStepMs ?? DEFAULT_AGING_STEP_MS,
    resourcesShort: on ? () => resourcesShort({ availableBytes: availableMemory(), loadPerCore: loadavg()[0]! / Math.max(1, cpus().length) }, limits) : null,
  };
}

/** Why the machine has no room for more work now, or null when it has. */
export function resourcesShort(now: { availableBytes: number; loadPerCore: number }, limits: { minMemory: number | null; maxLoad: number | null }): string | null {
  if (limits.minMemory !== null && now.availableBytes < limits.minMemory) return `waiting for memory: ${formatBytes(now.availableBytes)} available, at least ${formatBytes(limits.minMemory)} wanted`;
  if (limits.maxLoad !== null && now.loadPerCore >= limits.maxLoad) return `waiting for the load to drop: ${now.loadPerCore.toFixed(2)} per core, below ${limits.maxLoad} wanted`;
  return null;
}

/** MemAvailable (Linux), else free memory. */
function availableMemory(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return freemem();
}
