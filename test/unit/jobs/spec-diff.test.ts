// What "the same spec" means for `track --ensure` (daemon/jobs/spec-diff.ts), as one table, and
// the ensure decision over the live jobs (daemon/jobs/ensure.ts).

import { describe, expect, it } from 'vitest';
import type { JobSpec } from '../../../shared/job.js';
import { decideEnsure, specDiffersError } from '../../../daemon/jobs/ensure.js';
import { differencesText, specDifferences } from '../../../daemon/jobs/spec-diff.js';
import { completedState, makeJob, makeSpec, runningState } from '../../helpers/job-factory.js';
import { ErrorCode } from '../../../shared/errors.js';

const base = makeSpec({ command: { kind: 'argv', argv: ['npm', 'run', 'dev'] }, cwd: '/app', env: { PATH: '/bin', PORT: '3000' } });
const probe = { when: { kind: 'output' as const, pattern: 'ready', flags: '' }, intervalMs: 2000, timeoutMs: 1000, initialDelayMs: 0, successThreshold: 1, failureThreshold: 3 };
const limits = { maxMemoryBytes: 1 << 30, maxCpuPercent: null, maxFds: null, maxProcs: null, onLimit: 'kill' as const };
const restart = { policy: 'always' as const, delayMs: 1000, factor: 2, maxDelayMs: 60000, jitter: 0.1, stableMs: 10000, maxRestarts: null, windowMs: 600000 };

/** [what changes, the asked spec, the fields reported (empty: the same job)] */
const TABLE: [string, Partial<JobSpec>, string[]][] = [
  ['nothing', {}, []],
  ['the owner label in env (PROCD_OWNER) and shell noise (_, PWD, OLDPWD, SHLVL)', { env: { ...base.env, PROCD_OWNER: 'b', _: '/usr/bin/procd', PWD: '/x', OLDPWD: '/y', SHLVL: '3' } }, []],
  ['another terminal of the same user (tmux pane, window size, SSH connection, terminal ids)', { env: { ...base.env, TMUX: '/tmp/tmux-0/default,2,0', TMUX_PANE: '%2', COLUMNS: '80', LINES: '24', SSH_TTY: '/dev/pts/3', SSH_CONNECTION: '10.0.0.2 5 10.0.0.1 22', KITTY_WINDOW_ID: '4', TERM: 'screen' } }, []],
  ['the stuck and time-sink thresholds (flags only)', { stuckAfterMs: 5000, expectMs: 60000 }, []],
  ['priority (queue order only)', { priority: 10 }, []],
  ['dependencies and where it was declared', { after: [{ job: 2, ref: 'build', condition: 'completed' }], declared: { project: 'p', entry: 'e', file: '/f', hash: 'h' } }, []],
  ['the default group spelled out', { group: 'default' }, []],
  ['argv', { command: { kind: 'argv', argv: ['npm', 'run', 'start'] } }, ['command']],
  ['argv to a shell string', { command: { kind: 'shell', script: 'npm run dev', shell: '/bin/sh' } }, ['command']],
  ['cwd', { cwd: '/other' }, ['cwd']],
  ['an env value', { env: { PATH: '/bin', PORT: '4000' } }, ['env.PORT']],
  ['an env variable added and one removed', { env: { PORT: '3000', DEBUG: '1' } }, ['env.DEBUG', 'env.PATH']],
  ['kind', { kind: 'service' }, ['kind']],
  ['timeout', { timeoutMs: 60000 }, ['timeout']],
  ['output cap', { maxOutputBytes: 8192 }, ['maxOutput']],
  ['stop signal and grace', { stopSignal: 'SIGINT', stopGraceMs: 10000 }, ['stopSignal', 'grace']],
  ['limits', { limits }, ['limits']],
  ['restart policy', { restart }, ['restart']],
  ['readiness probe', { probes: { ready: probe } }, ['probes.ready']],
  ['liveness probe interval', { probes: { alive: { ...probe, intervalMs: 5000 } } }, ['probes.alive']],
  ['queue group', { group: 'gpu' }, ['group']],
];

describe('specDifferences: what makes a different job', () => {
  it.each(TABLE)('%s', (_what, change, fields) => {
    const asked = { ...base, ...change };
    expect(specDifferences(base, asked).map((d) => d.field)).toEqual(fields);
  });

  it('compares objects by value whatever the order of their keys', () => {
    const reordered = Object.fromEntries(Object.entries(limits).reverse()) as typeof limits;
    expect(specDifferences({ ...base, limits }, { ...base, limits: reordered })).toEqual([]);
  });

  it('shows old → new, never an environment value (it may be a token)', () => {
    const diffs = specDifferences(base, { ...base, cwd: '/other', kind: 'service', env: { ...base.env, PORT: '4000', TOKEN: 's3cret' } });
    const text = differencesText(diffs);
    expect(text).toBe('cwd: /app → /other; env.PORT: set → another value; env.TOKEN: unset → set; kind: task → service');
    expect(text).not.toMatch(/4000|3000|s3cret/);
  });

  it('counts the variables beyond the first ten', () => {
    const many = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`V${String(i).padStart(2, '0')}`, 'x']));
    const diffs = specDifferences(base, { ...base, env: { ...base.env, ...many } });
    expect(diffs.map((d) => d.field)).toEqual([...Array.from({ length: 10 }, (_, i) => `env.V${String(i).padStart(2, '0')}`), 'env']);
    expect(diffs.at(-1)).toEqual({ field: 'env', old: '3 more variables', new: 'differ' });
  });
});

describe('decideEnsure', () => {
  const live = makeJob({ id: 3, name: 'web', spec: base, state: runningState() });
  const ended = makeJob({ id: 2, name: 'web', spec: base, state: completedState() });

  it('answers the live job of the name with the same spec', () => {
    expect(decideEnsure([ended, live], 'web', { ...base })).toEqual({ kind: 'reuse', job: live });
  });

  it('starts when no live job has the name (a finished one does not count)', () => {
    expect(decideEnsure([ended], 'web', base)).toEqual({ kind: 'start' });
    expect(decideEnsure([live], 'api', base)).toEqual({ kind: 'start' });
  });

  it('reports the differences of the live job of the name with another spec', () => {
    const d = decideEnsure([live], 'web', { ...base, cwd: '/other' });
    expect(d).toMatchObject({ kind: 'differs', job: { id: 3 }, differences: [{ field: 'cwd', old: '/app', new: '/other' }] });
  });

  it('without a name, matches the command and cwd: the same spec is answered, another refused, another command started', () => {
    expect(decideEnsure([live], undefined, base)).toEqual({ kind: 'reuse', job: live });
    expect(decideEnsure([live], undefined, { ...base, timeoutMs: 1000 })).toMatchObject({ kind: 'differs', job: { id: 3 } });
    expect(decideEnsure([live], undefined, { ...base, cwd: '/elsewhere' })).toEqual({ kind: 'start' });
    expect(decideEnsure([live], undefined, { ...base, command: { kind: 'argv', argv: ['npm', 'test'] } })).toEqual({ kind: 'start' });
  });

  it('without a name, prefers a live job with the same spec over an older one that differs', () => {
    const older = makeJob({ id: 1, name: 'npm', spec: { ...base, timeoutMs: 5 }, state: runningState() });
    expect(decideEnsure([live, older], undefined, base)).toEqual({ kind: 'reuse', job: live });
  });

  it('the refusal names the job, the differences and the ways out, with a code and data', () => {
    const d = decideEnsure([live], 'web', { ...base, kind: 'service' });
    if (d.kind !== 'differs') throw new Error(`expected differs, got ${d.kind}`);
    const err = specDiffersError(d, true);
    expect(err.code).toBe(ErrorCode.SpecDiffers);
    expect(err.message).toBe('a live job named web (job 3, running) runs another spec: kind: task → service. Track with --ensure --replace to stop it and start this spec, stop it first (procd kill 3), or choose another name');
    expect(err.data).toEqual({ id: 3, name: 'web', state: 'running', differences: [{ field: 'kind', old: 'task', new: 'service' }] });
  });
});
