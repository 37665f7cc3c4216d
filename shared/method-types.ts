// Types of the method table's params and results, inferred from the schemas (schemas/methods.ts)
// through type-only imports: nothing here exists at run time. Re-exported by methods.ts.

import type { InferInput, InferOutput } from 'valibot';
import type { MethodName, MethodSpecs } from './methods.js';
import type { MethodSchemas } from './schemas/methods.js';

/** Params as the daemon hands them to the handler (after validation). */
export type ParamsOf<M extends MethodName> = InferOutput<MethodSchemas[M]['params']>;
/** Params as a client may send them. */
export type ParamsIn<M extends MethodName> = InferInput<MethodSchemas[M]['params']>;
export type ResultOf<M extends MethodName> = InferOutput<MethodSchemas[M]['result']>;

/** Methods safe to send again on a new connection after the old one dropped. */
export type IdempotentMethod = { [M in MethodName]: MethodSpecs[M]['idempotent'] extends true ? M : never }[MethodName];

export type JobRef = ParamsOf<'status'>['job'];
export type StreamName = NonNullable<ParamsOf<'logs'>['stream']>;
export type HelloResult = ResultOf<'hello'>;
export type LogsResult = ResultOf<'logs'>;
export type LogChunk = LogsResult['chunks'][number];
/** One item of kill's answer: a stopped job, or a job given that could not be stopped. */
export type KillOutcome = ResultOf<'kill'>[number];
export type KillResult = Extract<KillOutcome, { ok: true }>;
/** One item of pause's or resume's answer: a job acted on, or a job given that could not be. */
export type PauseOutcome = ResultOf<'pause'>[number];
export type PauseDone = Extract<PauseOutcome, { ok: true }>;
export type RestartOutcome = ResultOf<'restart'>[number];
export type RestartDone = Extract<RestartOutcome, { ok: true }>;
/** A job given to kill or rm that could not be acted on, with the error. */
export type RefFailure = Extract<KillOutcome, { ok: false }>;
export type RemoveResult = ResultOf<'rm'>;
export type WaitResult = ResultOf<'wait'>;
export type DaemonStatus = ResultOf<'daemon.status'>;
export type JobStatus = ResultOf<'status'>;
/** One process of a job's tree, as `status --tree` shows it. */
export type ProcessNode = NonNullable<JobStatus['tree']>[number];
export type CleanupResult = ResultOf<'cleanup'>;
export type CountResult = ResultOf<'count'>;
