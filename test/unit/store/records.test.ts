// Stored records are checked with the wire model's Job schema: a record of the wrong shape is set
// aside with a reason (and the daemon starts), an older record loads with the fields added since
// filled in, and a newer record's extra fields are dropped rather than refused.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkEntry, checkJob } from '../../../daemon/store/records.js';
import type { Job } from '../../../shared/job.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/records');

function fullJob(): Job {
  return {
    id: 7,
    name: 'web',
    description: 'dev server',
    tags: ['dev'],
    createdAt: 1_000,
    spec: { command: { kind: 'adopted', argv: ['node', 'server.js'], leadsGroup: true }, cwd: '/', env: { A: 'b' }, timeoutMs: 5_000, expectMs: null, stuckAfterMs: 0, maxOutputBytes: 4096, kind: 'task', stopSignal: 'SIGTERM', stopGraceMs: null },
    state: { kind: 'killed', outcome: 'signal', outcomeDetail: null, startedAt: 1, endedAt: 2, durationMs: 1, exitCode: 143, signal: { name: 'SIGTERM', number: 15 }, pid: 10, startTicks: 99, forced: false, kill: { reason: 'user', requestedAt: 2, signal: 'SIGTERM', graceMs: 5000, signalled: [10], forced: [] } },
    pendingKill: null,
    flags: [{ kind: 'stuck', raisedAt: 5, detail: 'no output for 10s', severity: 'medium', pids: [], data: { quietMs: 10_000, note: 'x', list: [1, 2], none: null } }],
    flagHistory: [{ kind: 'zombie', raisedAt: 1, detail: 'z', severity: 'high', pids: [11], data: {}, clearedAt: 3 }],
    resources: { samples: 2, cpuSamples: 1, cpuPeak: 50, cpuAvg: 50, rssPeak: 100, rssAvg: 90, processesPeak: 2, last: { at: 4, cpuPercent: null, rssBytes: 100, mainRssBytes: 80, processes: 2, threads: 3, fds: null, states: { S: 2 } } },
    output: { stdoutBytes: 10, stderrBytes: 0, droppedBytes: 0, lostBytes: 0, lastOutputAt: 4 },
    dir: '/jobs/7',
  };
}

const problem = (value: unknown) => {
  const r = checkJob(value);
  return r.ok ? null : r.problem;
};

describe('stored job records', () => {
  it('a current record loads unchanged', () => {
    expect(checkJob(fullJob())).toEqual({ ok: true, value: fullJob() });
  });

  it('a record whose flags hold null is set aside, naming the entry (it used to stop the daemon in the monitor)', () => {
    expect(checkJob({ ...fullJob(), flags: [null] })).toEqual({ ok: false, problem: 'flags[0] is not an object', id: 7 });
  });

  it('a field of the wrong type is named with what was expected', () => {
    expect(problem({ ...fullJob(), createdAt: 'yesterday' })).toBe('createdAt is not a number');
    expect(problem({ ...fullJob(), tags: 'dev' })).toBe('tags is not a list');
    expect(problem({ ...fullJob(), spec: { ...fullJob().spec, env: { A: 1 } } })).toBe('spec.env.A is not a string');
    expect(problem({ ...fullJob(), state: { kind: 'running', startedAt: 1, pid: 0 } })).toBe('state.pid is 0, expected >=1');
    expect(problem({ ...fullJob(), state: { kind: 'running', startedAt: 1 } })).toBe('state.pid is missing');
  });

  it('a terminal state with an outcome outside the closed table is set aside', () => {
    expect(problem({ ...fullJob(), state: { ...fullJob().state, outcome: 'exploded' } })).toMatch(/^state\.outcome is not "exit" or .*"vanished"/);
  });

  it('an unknown state kind (or command kind) is set aside, keeping its id so it is never handed out again', () => {
    expect(checkJob({ ...fullJob(), state: { kind: 'exploded', at: 1 } })).toEqual({ ok: false, problem: 'state.kind "exploded" is unknown', id: 7 });
    expect(problem({ ...fullJob(), spec: { ...fullJob().spec, command: { kind: 'wasm', argv: [] } } })).toBe('spec.command.kind "wasm" is unknown');
  });

  it('a record of procd 0.1.0 loads with every field added since at its default', () => {
    const old = JSON.parse(readFileSync(join(FIXTURES, 'v0-1-0-completed.json'), 'utf8')) as unknown;
    const r = checkJob(old);
    expect(r.ok).toBe(true);
    if (!r.ok) throw new Error(`refused: ${r.problem}`);
    expect(r.value).toMatchObject({ description: null, tags: [], pendingKill: null, flags: [], flagHistory: [], resources: null });
    expect(r.value.output).toEqual({ stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null });
    expect(r.value.state).toMatchObject({ kind: 'failed', outcome: 'spawn_error', outcomeDetail: null, pid: null, startTicks: null, spawnError: { code: 'ENOENT' } });
    expect(r.value.state.kind === 'failed' && r.value.state.spawnError?.step).toBeUndefined();
  });

  it('a record with an owner keeps it; one from before owners loads without', () => {
    const owner = { name: 'agent-7', pid: 4242, parentName: 'bash' };
    expect(checkJob({ ...fullJob(), owner })).toEqual({ ok: true, value: { ...fullJob(), owner } });
    const r = checkJob(fullJob());
    expect(r.ok && 'owner' in r.value).toBe(false);
    expect(problem({ ...fullJob(), owner: { name: 'a', pid: 'x', parentName: null } })).toBe('owner.pid is not a number');
  });

  it('fields a newer procd added are dropped, not refused', () => {
    const r = checkJob({ ...fullJob(), priority: 5, state: { ...fullJob().state, attempt: 2 } });
    expect(r).toEqual({ ok: true, value: fullJob() });
  });

  it('journal entries carry the check through', () => {
    expect(checkEntry({ seq: 3, t: 'job', job: { ...fullJob(), flags: [null] } })).toEqual({ ok: false, problem: 'flags[0] is not an object', id: 7 });
    expect(checkEntry({ seq: 4, t: 'job', job: fullJob() })).toMatchObject({ ok: true, value: { seq: 4, t: 'job', job: { id: 7 } } });
  });
});
