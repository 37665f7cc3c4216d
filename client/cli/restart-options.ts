// track's restart options (--restart, --restart-delay, --restart-max-delay, --max-restarts,
// --restart-window) → the `restart` param, with usage errors that name the option.

import type { ParamsOf } from '../../shared/methods.js';
import { RESTART_POLICIES, type RestartPolicy } from '../../shared/restart.js';
import { str, type OptionValues } from './command.js';
import { EXIT, ExitError } from './exit-codes.js';
import { durationOption, intOption } from './parse.js';

type RestartParam = NonNullable<ParamsOf<'track'>['restart']>;

export function restartOptions(values: OptionValues): RestartParam | undefined {
  const text = str(values, 'restart');
  const figures: Omit<RestartParam, 'policy'> = {};
  const delayMs = durationOption('restart-delay', str(values, 'restart-delay'));
  if (delayMs !== undefined) figures.delayMs = delayMs;
  const maxDelayMs = durationOption('restart-max-delay', str(values, 'restart-max-delay'));
  if (maxDelayMs !== undefined) figures.maxDelayMs = maxDelayMs;
  const maxRestarts = intOption('max-restarts', str(values, 'max-restarts'), { min: 0, max: 1_000_000 });
  if (maxRestarts !== undefined) figures.maxRestarts = maxRestarts;
  const windowMs = durationOption('restart-window', str(values, 'restart-window'), { min: 1 });
  if (windowMs !== undefined) figures.windowMs = windowMs;
  // `--on-limit restart` implies on-failure (as the daemon does): the figures shape that policy.
  if (text === undefined && str(values, 'on-limit') === 'restart') return Object.keys(figures).length ? { policy: 'on-failure', ...figures } : undefined;
  if (text === undefined) {
    const given = Object.keys(figures);
    if (given.length) throw new ExitError(EXIT.usage, `--${optionName(given[0]!)} shapes a restart policy: give --restart on-failure|always|unless-stopped too`);
    return undefined;
  }
  if (!(RESTART_POLICIES as readonly string[]).includes(text)) throw new ExitError(EXIT.usage, `--restart: "${text}" is not one of ${RESTART_POLICIES.join(', ')}`);
  return { policy: text as RestartPolicy, ...figures };
}

function optionName(field: string): string {
  return { delayMs: 'restart-delay', maxDelayMs: 'restart-max-delay', maxRestarts: 'max-restarts', windowMs: 'restart-window' }[field] ?? field;
}
