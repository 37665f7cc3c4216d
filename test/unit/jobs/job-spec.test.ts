// A track request's spec: a service has no stuck flag by default where a task has the daemon's,
// an explicit --stuck-after applies to both; the stop signal is checked and kept in its canonical
// name; a stop uses what kill asked, else the job's own signal and grace, else the defaults. An
// older record without these fields loads as a task stopped with SIGTERM and the daemon's grace.

import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { buildSpec, jobKindOf, stopPlanOf } from '../../../daemon/jobs/job-spec.js';
import { ErrorCode, ProcdError } from '../../../shared/errors.js';
import type { Command } from '../../../shared/job.js';
import type { ParamsOf } from '../../../shared/methods.js';
import { JobSpecSchema } from '../../../shared/schemas/job.js';
import { makeSpec } from '../../helpers/job-factory.js';

const DEFAULTS = { stuckAfterMs: 60_000, maxOutputBytes: 1 << 20 };
const command: Command = { kind: 'argv', argv: ['sleep', '100'] };
const spec = (params: Partial<ParamsOf<'track'>>) => buildSpec({ cwd: '/', argv: ['sleep', '100'], ...params }, command, {}, DEFAULTS);

describe('buildSpec: services and tasks', () => {
  it('is a task unless the caller says service', () => {
    expect(jobKindOf({})).toBe('task');
    expect(spec({}).kind).toBe('task');
    expect(spec({ kind: 'service' }).kind).toBe('service');
    expect(spec({ kind: 'task' }).kind).toBe('task');
  });

  it("gives a task the daemon's stuck-after and a service none, and applies an explicit one to both", () => {
    expect(spec({}).stuckAfterMs).toBe(60_000);
    expect(spec({ kind: 'service' }).stuckAfterMs).toBe(0);
    expect(spec({ kind: 'service', stuckAfterMs: 5000 }).stuckAfterMs).toBe(5000);
    expect(spec({ stuckAfterMs: 0 }).stuckAfterMs).toBe(0);
    expect(spec({ kind: 'service', expectMs: 9000 }).expectMs).toBe(9000);
  });
});

describe('buildSpec: stop signal and grace', () => {
  it('keeps the canonical signal name and the grace; by default SIGTERM and the daemon grace (null)', () => {
    expect(spec({})).toMatchObject({ stopSignal: 'SIGTERM', stopGraceMs: null });
    expect(spec({ stopSignal: 'INT', stopGraceMs: 1000 })).toMatchObject({ stopSignal: 'SIGINT', stopGraceMs: 1000 });
    expect(spec({ stopSignal: 'sighup' }).stopSignal).toBe('SIGHUP');
    expect(spec({ stopSignal: 2 }).stopSignal).toBe('SIGINT');
    expect(spec({ stopSignal: '15' }).stopSignal).toBe('SIGTERM');
  });

  it('refuses an unknown signal with BadSignal, naming it and the field', () => {
    for (const bad of ['FOO', 'SIG', '0', 99]) {
      let err: unknown;
      try {
        spec({ stopSignal: bad });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ProcdError);
      expect((err as ProcdError).code).toBe(ErrorCode.BadSignal);
      expect((err as ProcdError).message).toContain(`unknown stop signal: ${bad}`);
      expect((err as ProcdError).data).toMatchObject({ signal: bad, field: 'params.stopSignal' });
    }
  });
});

describe('stopPlanOf', () => {
  it("uses kill's signal and grace, else the job's own, else SIGTERM and the daemon's grace", () => {
    const own = makeSpec({ stopSignal: 'SIGINT', stopGraceMs: 1000 });
    expect(stopPlanOf(makeSpec(), 5000)).toEqual({ signal: 'SIGTERM', graceMs: 5000 });
    expect(stopPlanOf(own, 5000)).toEqual({ signal: 'SIGINT', graceMs: 1000 });
    expect(stopPlanOf(own, 5000, { signal: 'SIGTERM' })).toEqual({ signal: 'SIGTERM', graceMs: 1000 });
    expect(stopPlanOf(own, 5000, { graceMs: 0 })).toEqual({ signal: 'SIGINT', graceMs: 0 });
    expect(stopPlanOf(makeSpec({ stopGraceMs: 0 }), 5000)).toEqual({ signal: 'SIGTERM', graceMs: 0 });
  });

  it('stops with SIGTERM when a stored signal is unknown here, rather than not at all', () => {
    expect(stopPlanOf(makeSpec({ stopSignal: 'SIGNOTHERE' }), 5000).signal).toBe('SIGTERM');
  });
});

describe('older records', () => {
  it('load as a task stopped with SIGTERM and the daemon grace', () => {
    const old = { command, cwd: '/', env: {}, timeoutMs: null, expectMs: null, stuckAfterMs: 60_000, maxOutputBytes: 4096 };
    expect(v.parse(JobSpecSchema, old)).toEqual({ ...old, kind: 'task', stopSignal: 'SIGTERM', stopGraceMs: null });
  });
});
