// `procd/protocol`: what a program needs to speak to the daemon without the client library — the
// method table and its types, the job model, error codes, events and the line framing. Only
// types and small runtime values: nothing here may pull in paths (env-paths), fs, the daemon or
// the schema library (the schemas themselves are `procd/schemas`).

export {
  CAPABILITIES,
  isMethodName,
  LIMITS,
  METHOD_SPECS,
  methods,
  PROTOCOL_VERSION,
  type CleanupResult,
  type DaemonStatus,
  type HelloResult,
  type JobRef,
  type JobStatus,
  type KillResult,
  type LogChunk,
  type LogsResult,
  type IdempotentMethod,
  type MethodName,
  type MethodSpecs,
  type ParamsIn,
  type ParamsOf,
  type ProcessNode,
  type ResultOf,
  type StreamName,
  type WaitResult,
} from './methods.js';
export {
  commandText,
  FLAG_KINDS,
  isTerminal,
  JOB_STATE_KINDS,
  summarize,
  TERMINAL_STATES,
  viewOf,
  type ClearedFlag,
  type Command,
  type ExitInfo,
  type FlagKind,
  type Job,
  type JobFlag,
  type JobId,
  type JobSpec,
  type JobState,
  type JobStateKind,
  type JobSummary,
  type JobView,
  type KillRecord,
  type OutputInfo,
  type ResourceSample,
  type ResourceStats,
  type RunningProcess,
  type SignalInfo,
  type SpawnError,
} from './job.js';
export { ErrorCode, errorCodeName, ProcdError, type ErrorCodeName, type ErrorCodeValue } from './errors.js';
export { EVENT_DOCS, EVENT_KINDS, EVENT_METHOD, type EventJob, type EventKind, type NewEvent, type ProcdEvent } from './events.js';
export { encodeFrame, LineDecoder, MAX_FRAME_BYTES, type Frame } from './framing.js';
export { isObject, type RpcErrorObject, type RpcId, type RpcNotification, type RpcRequest, type RpcResponse } from './rpc.js';
export type { CliOption, CliSpec, MethodSpec, TimeoutRule } from './method-spec.js';
export { METRICS_CONTENT_TYPE, renderMetricsText, unreachableFamilies, type MetricFamily } from './metrics.js';
