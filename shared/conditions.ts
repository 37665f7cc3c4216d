// One condition grammar (DESIGN.md §10): readiness and liveness probes, later `wait --for`,
// dependencies, the MCP server and the dashboard all read conditions with this one parser.
// A condition is `KEY=VALUE` (or a bare `KEY` where it takes no value). The types and the text
// form here (the CLI's display loads this); the parser is in condition-parser.ts.

import type { JobStateKind } from './job.js';

export type Condition =
  /** A line of the job's stdout or stderr matches this JavaScript regular expression. */
  | { kind: 'output'; pattern: string; flags: string }
  /** The job's process tree listens on a TCP port (any when null). */
  | { kind: 'listen'; port: number | null }
  /** A TCP connection to host:port succeeds. */
  | { kind: 'tcp'; host: string; port: number }
  /** A GET answers 2xx or 3xx. */
  | { kind: 'http'; url: string }
  /** A shell command, run in the job's cwd with its environment, exits 0. */
  | { kind: 'exec'; command: string }
  // For waits only:
  /** The job has ended (any terminal state). */
  | { kind: 'exit' }
  /** The job's readiness probe has succeeded. */
  | { kind: 'ready' }
  /** The job wrote no output for this long. */
  | { kind: 'quiet'; ms: number }
  /** The job is in this state. */
  | { kind: 'state'; state: JobStateKind }
  /** Nothing listens on this TCP port on 127.0.0.1. */
  | { kind: 'port-free'; port: number };

export type ConditionKind = Condition['kind'];

/** What a probe may check: a property of the running job or of the world, not of procd's record. */
export const PROBE_CONDITIONS = ['output', 'listen', 'tcp', 'http', 'exec'] as const satisfies readonly ConditionKind[];
export type ProbeCondition = Extract<Condition, { kind: (typeof PROBE_CONDITIONS)[number] }>;
export const WAIT_CONDITIONS = [...PROBE_CONDITIONS, 'exit', 'ready', 'quiet', 'state', 'port-free'] as const satisfies readonly ConditionKind[];

/** The condition written back the way a user would type it (parseCondition(conditionText(c)) equals c). */
export function conditionText(c: Condition): string {
  switch (c.kind) {
    case 'output':
      return `output=${c.flags || /^\/.*\/[a-z]*$/s.test(c.pattern) ? `/${c.pattern}/${c.flags}` : c.pattern}`;
    case 'listen':
      return c.port === null ? 'listen' : `listen=${c.port}`;
    case 'tcp':
      return `tcp=${c.host.includes(':') ? `[${c.host}]` : c.host}:${c.port}`;
    case 'http':
      return `http=${c.url}`;
    case 'exec':
      return `exec=${c.command}`;
    case 'exit':
    case 'ready':
      return c.kind;
    case 'quiet':
      return `quiet=${c.ms}ms`;
    case 'state':
      return `state=${c.state}`;
    case 'port-free':
      return `port-free=${c.port}`;
  }
}
