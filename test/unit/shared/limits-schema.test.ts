// Stored records and limits: a record written before limits existed loads unchanged (no limits,
// no violations), one with them keeps them, and track's `limits` param refuses bad values by name.

import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { JobSchema } from '../../../shared/schemas/job.js';
import { METHOD_SCHEMAS } from '../../../shared/schemas/methods.js';
import { parseAt } from '../../../shared/schemas/valid.js';
import { makeJob, runningState } from '../../helpers/job-factory.js';

const old = JSON.parse(JSON.stringify(makeJob({ state: runningState({ pid: 10, startTicks: 1, shimPid: 9, startedAt: 5 }) }))) as Record<string, unknown>;

describe('limits in stored records', () => {
  it('a record without limits or violations (written before them) loads as before', () => {
    const job = v.parse(JobSchema, old);
    expect(job.spec.limits).toBeUndefined();
    expect(job.violations).toBeUndefined();
  });

  it('limits, violations and a limit kill record survive a round trip', () => {
    const limits = { maxMemoryBytes: 50 << 20, maxCpuPercent: null, maxFds: null, maxProcs: 50, onLimit: 'kill' };
    const violations = [{ limit: 'memory', value: 60 << 20, max: 50 << 20, at: 7, action: 'kill' }];
    const pendingKill = { reason: 'limit', limit: 'memory', requestedAt: 7, signal: 'SIGTERM', graceMs: 5000, signalled: [], forced: [] };
    const job = v.parse(JobSchema, { ...old, spec: { ...(old.spec as object), limits }, violations, pendingKill });
    expect(job.spec.limits).toEqual(limits);
    expect(job.violations).toEqual(violations);
    expect(job.pendingKill).toEqual(pendingKill);
  });
});

describe('track params: limits', () => {
  const track = (limits: unknown) => parseAt(METHOD_SCHEMAS.track.params, { argv: ['true'], cwd: '/', limits }, 'params');

  it('takes any subset; onLimit kill or warn', () => {
    expect(track({ maxMemoryBytes: 1 << 20, onLimit: 'warn' }).ok).toBe(true);
    expect(track({ maxCpuPercent: 250, maxFds: 10, maxProcs: 3 }).ok).toBe(true);
  });

  it('refuses bad values by field, and restart by name', () => {
    const issue = (limits: unknown) => {
      const r = track(limits);
      return r.ok ? null : r.issue;
    };
    expect(issue({ maxMemoryBytes: 1024 })).toMatchObject({ path: 'params.limits.maxMemoryBytes' });
    expect(issue({ maxProcs: 0 })).toMatchObject({ path: 'params.limits.maxProcs' });
    expect(issue({ maxFds: 1.5 })).toMatchObject({ path: 'params.limits.maxFds' });
    expect(issue({ maxCpu: 5 })).toMatchObject({ path: 'params.limits.maxCpu', expected: expect.stringContaining('no such field') });
    expect(issue({ maxProcs: 5, onLimit: 'restart' })).toBeNull();
    expect(issue({ maxProcs: 5, onLimit: 'ignore' })).toMatchObject({ path: 'params.limits.onLimit', expected: expect.stringContaining('"kill"') });
  });
});
