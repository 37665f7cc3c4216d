// The params' building blocks (job references, durations, signals, names, tags, limits), shared by
// the method schemas in methods.ts.

import * as v from 'valibot';
import { LIMIT_RANGES, ON_LIMIT_ACTIONS } from '../limits.js';
import { LIMITS } from '../field-limits.js';
import { NAME_DESCRIPTION, nameProblem } from '../names.js';
import { either, int, list, obj, oneOf, opt, str } from './valid.js';

export const MAX_MS = LIMITS.durationMs;
/** A job is named by its numeric id or by its name (the most recent job with that name). */
export const jobRef = either(int({ min: 1 }), str({ min: 1, max: 200, what: 'a job id or name' }));
export const jobRefs = list(jobRef, { min: 1, max: 1000 });
export const duration = int({ min: 0, max: MAX_MS });
export const signal = either(str({ min: 1, max: 20, what: 'a signal name such as SIGTERM' }), int({ min: 1, max: 64 }));
export const streamName = oneOf(['stdout', 'stderr', 'both']);
/** Job names (shared/names.ts): each broken rule is refused with its own reason. */
export const jobName = v.pipe(
  v.string(NAME_DESCRIPTION),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? nameProblem(dataset.value) : null;
    if (problem) addIssue({ message: problem.expected });
  }),
  v.description(NAME_DESCRIPTION),
);
export const tag = str({ min: 1, max: 100, pattern: /^[^\p{Cc}]+$/u, what: 'a tag without control characters' });
/** An environment variable name as execve accepts it: no `=`, not empty. */
export const envName = str({ min: 1, max: 4096, pattern: /^[^=]+$/, what: 'a variable name without "="' });

/** `--on-limit`: kill or warn; `restart` is refused by name until restart policies exist. */
const ON_LIMIT_DESCRIPTION = `one of ${ON_LIMIT_ACTIONS.map((a) => JSON.stringify(a)).join(', ')}`;
export const onLimit = v.pipe(
  v.string(ON_LIMIT_DESCRIPTION),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed || (ON_LIMIT_ACTIONS as readonly string[]).includes(dataset.value)) return;
    addIssue({ message: dataset.value === 'restart' ? `${ON_LIMIT_DESCRIPTION} ("restart" needs restart policies, which procd does not have yet)` : ON_LIMIT_DESCRIPTION });
  }),
  v.transform((s) => s as (typeof ON_LIMIT_ACTIONS)[number]),
  v.description(ON_LIMIT_DESCRIPTION),
);
/** Resource limits of a job's whole tree, sampled by the monitor (kernel-enforced where the job's cgroup has the controllers). */
export const limits = obj({
  maxMemoryBytes: opt(int(LIMIT_RANGES.memoryBytes)),
  maxCpuPercent: opt(int(LIMIT_RANGES.cpuPercent)),
  maxFds: opt(int(LIMIT_RANGES.fds)),
  maxProcs: opt(int(LIMIT_RANGES.procs)),
  onLimit: opt(onLimit),
});
