// track's probe options (--ready-when, --alive-when and the figures both probes share) → the
// `probes` param. The condition text goes to the daemon as typed: the one parser
// (shared/conditions.ts) checks it there, so the CLI's start-up does not load it.

import type { ParamsIn } from '../../shared/methods.js';
import { PROBE_RANGES } from '../../shared/probes.js';
import { str, type OptionValues } from './command.js';
import { EXIT, ExitError } from './exit-codes.js';
import { durationOption, intOption } from './parse.js';

type ProbesParam = NonNullable<ParamsIn<'track'>['probes']>;
type ProbeParam = NonNullable<ProbesParam['ready']>;

export function probeOptions(values: OptionValues): ProbesParam | undefined {
  const figures: Omit<ProbeParam, 'when'> = {};
  const intervalMs = durationOption('probe-interval', str(values, 'probe-interval'), PROBE_RANGES.intervalMs);
  if (intervalMs !== undefined) figures.intervalMs = intervalMs;
  const timeoutMs = durationOption('probe-timeout', str(values, 'probe-timeout'), PROBE_RANGES.timeoutMs);
  if (timeoutMs !== undefined) figures.timeoutMs = timeoutMs;
  const initialDelayMs = durationOption('probe-delay', str(values, 'probe-delay'), PROBE_RANGES.initialDelayMs);
  if (initialDelayMs !== undefined) figures.initialDelayMs = initialDelayMs;
  const successThreshold = intOption('probe-successes', str(values, 'probe-successes'), PROBE_RANGES.successThreshold);
  if (successThreshold !== undefined) figures.successThreshold = successThreshold;
  const failureThreshold = intOption('probe-failures', str(values, 'probe-failures'), PROBE_RANGES.failureThreshold);
  if (failureThreshold !== undefined) figures.failureThreshold = failureThreshold;
  const ready = str(values, 'ready-when');
  const alive = str(values, 'alive-when');
  if (ready === undefined && alive === undefined) {
    const given = Object.keys(figures)[0];
    if (given) throw new ExitError(EXIT.usage, `--${optionName(given)} shapes a probe: give --ready-when or --alive-when CONDITION too`);
    return undefined;
  }
  return { ...(ready !== undefined ? { ready: { when: ready, ...figures } } : {}), ...(alive !== undefined ? { alive: { when: alive, ...figures } } : {}) };
}

function optionName(field: string): string {
  return { intervalMs: 'probe-interval', timeoutMs: 'probe-timeout', initialDelayMs: 'probe-delay', successThreshold: 'probe-successes', failureThreshold: 'probe-failures' }[field] ?? field;
}
