// track's limit options (--max-memory, --max-cpu, --max-fds, --max-procs, --on-limit) → the
// `limits` param, with usage errors that name the option. --max-runtime is --timeout: track reads it there.

import { LIMIT_RANGES, ON_LIMIT_ACTIONS, type OnLimit } from '../../shared/limits.js';
import type { ParamsOf } from '../../shared/methods.js';
import { str, type OptionValues } from './command.js';
import { EXIT, ExitError } from './exit-codes.js';
import { intOption, sizeOption } from './parse.js';

type LimitsParam = NonNullable<ParamsOf<'track'>['limits']>;

export function limitOptions(values: OptionValues): LimitsParam | undefined {
  const limits: LimitsParam = {};
  const memory = sizeOption('max-memory', str(values, 'max-memory'), LIMIT_RANGES.memoryBytes);
  if (memory !== undefined) limits.maxMemoryBytes = memory;
  const cpu = percentOption('max-cpu', str(values, 'max-cpu'));
  if (cpu !== undefined) limits.maxCpuPercent = cpu;
  const fds = intOption('max-fds', str(values, 'max-fds'), LIMIT_RANGES.fds);
  if (fds !== undefined) limits.maxFds = fds;
  const procs = intOption('max-procs', str(values, 'max-procs'), LIMIT_RANGES.procs);
  if (procs !== undefined) limits.maxProcs = procs;
  const onLimit = onLimitOption(str(values, 'on-limit'));
  const any = Object.keys(limits).length > 0;
  if (onLimit !== undefined && !any) throw new ExitError(EXIT.usage, '--on-limit says what to do over a limit: give --max-memory, --max-cpu, --max-fds or --max-procs too');
  if (onLimit !== undefined) limits.onLimit = onLimit;
  return any ? limits : undefined;
}

/** `50`, `50%` or `250` (two and a half cores): a whole percentage of one core. */
function percentOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const digits = text.endsWith('%') ? text.slice(0, -1) : text;
  if (!/^\d+$/.test(digits)) throw new ExitError(EXIT.usage, `--${name}: "${text}" is not a percentage of one core (examples: 50, 150%, 200 for two cores)`);
  return intOption(name, digits, LIMIT_RANGES.cpuPercent);
}

function onLimitOption(text: string | undefined): OnLimit | undefined {
  if (text === undefined) return undefined;
  if ((ON_LIMIT_ACTIONS as readonly string[]).includes(text)) return text as OnLimit;
  throw new ExitError(EXIT.usage, `--on-limit: "${text}" is not one of ${ON_LIMIT_ACTIONS.join(', ')}`);
}
