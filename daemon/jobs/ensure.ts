// `track --ensure`: an idempotent start. Decides, from the live jobs, whether the asked job is
// already there (answer it), there with another spec (refuse, or replace with `replace`), or not
// there (start it). Pure; the starter acts on it in one synchronous step with the create, so
// concurrent ensures of one job start it once.

import { ErrorCode, ProcdError } from '../../shared/errors.js';
import { isTerminal, type Job, type JobSpec } from '../../shared/job.js';
import { differencesText, sameSignature, specDifferences, type SpecDifference } from './spec-diff.js';

export type EnsureDecision = { kind: 'start' } | { kind: 'reuse'; job: Job } | { kind: 'differs'; job: Job; differences: SpecDifference[] };

/**
 * With a name: the live job of that name. Without one: the live jobs with the same command and
 * cwd (the first whose whole spec is the same is answered; else the oldest is the one that differs).
 */
export function decideEnsure(jobs: Iterable<Job>, name: string | undefined, asked: JobSpec): EnsureDecision {
  const live = [...jobs].filter((j) => !isTerminal(j.state)).sort((a, b) => a.id - b.id);
  const candidates = name !== undefined ? live.filter((j) => j.name === name) : live.filter((j) => sameSignature(j.spec, asked));
  let first: EnsureDecision | null = null;
  for (const job of candidates) {
    const differences = specDifferences(job.spec, asked);
    if (differences.length === 0) return { kind: 'reuse', job };
    first ??= { kind: 'differs', job, differences };
  }
  return first ?? { kind: 'start' };
}

/** The refusal of an ensure whose live job runs another spec: what differs, and the ways out. */
export function specDiffersError(decision: Extract<EnsureDecision, { kind: 'differs' }>, named: boolean): ProcdError {
  const { job, differences } = decision;
  const which = named ? `a live job named ${job.name}` : `a live job with this command and cwd`;
  return new ProcdError(
    ErrorCode.SpecDiffers,
    `${which} (job ${job.id}, ${job.state.kind}) runs another spec: ${differencesText(differences)}. ` +
      `Track with --ensure --replace to stop it and start this spec, stop it first (procd kill ${job.id}), or ${named ? 'choose another name' : 'give a --name'}`,
    { id: job.id, name: job.name, state: job.state.kind, differences },
  );
}
