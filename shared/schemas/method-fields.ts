// The params' building blocks (job references, durations, signals, names, tags, limits), shared by
// the method schemas in methods.ts.

import * as v from 'valibot';
import { LIMIT_RANGES, ON_LIMIT_ACTIONS } from '../limits.js';
import { LIMITS } from '../field-limits.js';
import { RESTART_POLICIES } from '../restart.js';
import { PROBE_RANGES } from '../probes.js';
import { probeConditionParam } from './conditions.js';
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

/** `--on-limit`: kill, restart (kill, then its restart policy) or warn. */
export const onLimit = v.picklist(ON_LIMIT_ACTIONS);
/** Resource limits of a job's whole tree, sampled by the monitor (kernel-enforced where the job's cgroup has the controllers). */
export const limits = obj({
  maxMemoryBytes: opt(int(LIMIT_RANGES.memoryBytes)),
  maxCpuPercent: opt(int(LIMIT_RANGES.cpuPercent)),
  maxFds: opt(int(LIMIT_RANGES.fds)),
  maxProcs: opt(int(LIMIT_RANGES.procs)),
  onLimit: opt(onLimit),
});

/**
 * A restart policy (shared/restart.ts): `policy`, and the backoff's figures where the defaults do not
 * suit (1 s ×2 up to 60 s; stable after 30 s; `on-failure` at most 10 restarts in 10 min).
 */
export const restart = obj({
  policy: oneOf(RESTART_POLICIES),
  delayMs: opt(int({ min: 0, max: MAX_MS })),
  factor: opt(int({ min: 1, max: 10 })),
  maxDelayMs: opt(int({ min: 0, max: MAX_MS })),
  /** At most this many restarts within `windowMs`; 0: never restart (useful with a policy only for resurrection). */
  maxRestarts: opt(int({ min: 0, max: 1_000_000 })),
  windowMs: opt(int({ min: 1, max: MAX_MS })),
  stableMs: opt(int({ min: 0, max: MAX_MS })),
});

/**
 * A readiness or liveness probe: `when` (a condition, text such as `"http=http://127.0.0.1:8080/health"`
 * or its object form) and the figures where the defaults do not suit (every 2 s, 1 s timeout, no
 * initial delay, 1 pass, 3 failures).
 */
export const probe = obj({
  when: probeConditionParam,
  intervalMs: opt(int(PROBE_RANGES.intervalMs)),
  timeoutMs: opt(int(PROBE_RANGES.timeoutMs)),
  initialDelayMs: opt(int(PROBE_RANGES.initialDelayMs)),
  successThreshold: opt(int(PROBE_RANGES.successThreshold)),
  failureThreshold: opt(int(PROBE_RANGES.failureThreshold)),
});
