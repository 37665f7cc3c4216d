// Examples of the methods' params and results (docs/protocol.md shows them; a test validates each
// against its schema), kept apart from the schemas in methods.ts.

export const EXAMPLE_JOB = {
  id: 3,
  name: 'web',
  description: null,
  tags: ['dev'],
  createdAt: 1767225600000,
  spec: {
    command: { kind: 'argv', argv: ['npm', 'run', 'dev'] },
    kind: 'service',
    cwd: '/home/me/app',
    env: { PATH: '/usr/bin:/bin' },
    timeoutMs: null,
    expectMs: null,
    stuckAfterMs: 0,
    maxOutputBytes: 134217728,
    stopSignal: 'SIGINT',
    stopGraceMs: 10000,
  },
  state: { kind: 'running', startedAt: 1767225600012, pid: 41235, startTicks: 9123456, shimPid: 41234 },
  pendingKill: null,
  flags: [],
  flagHistory: [],
  resources: null,
  output: { stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lostBytes: 0, lastOutputAt: null },
  dir: '/home/me/.local/share/procd/jobs/3',
};
const { env: _env, ...specWithoutEnv } = EXAMPLE_JOB.spec;
export const exampleSpec = specWithoutEnv;
/** What the daemon answers: the environment's size, not its values. */
export const EXAMPLE_VIEW = { ...EXAMPLE_JOB, spec: { ...exampleSpec, envCount: 1 } };
export const EXAMPLE_ENDED = {
  ...EXAMPLE_VIEW,
  state: { kind: 'completed', outcome: 'exit', outcomeDetail: null, startedAt: 1767225600012, endedAt: 1767225612012, durationMs: 12000, exitCode: 0, signal: null, pid: 41235, startTicks: 9123456 },
};
export const KILL_EXAMPLE = { ref: 3, ok: true, id: 3, state: 'killed', signal: 'SIGTERM', signalled: [41235], forced: [] };
export const NOT_RUNNING_EXAMPLE = {
  ref: 'build',
  ok: false,
  id: 2,
  error: { code: -32001, name: 'JobNotRunning', message: 'job 2 (build) is not running: it is completed', data: { id: 2, state: 'completed' } },
};
