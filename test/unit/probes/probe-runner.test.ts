// The probe runner over a real job table with a fake clock and scripted checks (the real checkers
// have their own tests against real sockets and processes): when checks run, what their results
// change, and what the runner does about it.

import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../../daemon/jobs/deadlines.js';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import type { CheckResult, ProbeCheck } from '../../../daemon/probes/check.js';
import { ProbeRunner } from '../../../daemon/probes/probe-runner.js';
import type { Job, JobId } from '../../../shared/job.js';
import { defaultRestartSpec } from '../../../shared/restart.js';
import { PROBE_DEFAULTS, type ProbeSpec } from '../../../shared/probes.js';
import { FakeClock } from '../jobs/fake-clock.js';
import { makeJob, runningState } from '../../helpers/job-factory.js';
import { memoryStore, silentLogger } from '../../helpers/stand-ins.js';

const probe = (over: Partial<ProbeSpec> = {}): ProbeSpec => ({ when: { kind: 'tcp', host: '127.0.0.1', port: 9 }, ...PROBE_DEFAULTS, ...over });

/** Lets the runner's awaited check results settle. */
const settle = () => new Promise((r) => setImmediate(r));

function setup(job: Job, answers: Record<'ready' | 'alive', boolean[]>) {
  const clock = new FakeClock(job.state.kind === 'running' ? job.state.startedAt : 1_000_000);
  const table = new JobTable(memoryStore, { jobs: new Map<JobId, Job>([[job.id, job]]), nextId: job.id + 1 });
  const ran: { role: string; at: number }[] = [];
  const closed: string[] = [];
  const stopped: JobId[] = [];
  const ready: Job[] = [];
  const runner = new ProbeRunner({
    table,
    deadlines: new Deadlines(clock),
    createCheck: (condition) => {
      const role = condition.kind === 'tcp' && condition.port === 1 ? 'ready' : 'alive';
      const check: ProbeCheck = {
        run: async (): Promise<CheckResult> => {
          ran.push({ role, at: clock.now() });
          const ok = answers[role].shift() ?? true;
          return { ok, detail: ok ? 'up' : 'down' };
        },
        close: () => closed.push(role),
      };
      return check;
    },
    pidsOf: async () => [],
    stopUnhealthy: async (id) => stopped.push(id),
    logger: silentLogger,
  });
  runner.on('ready', (j) => ready.push(j));
  runner.start();
  const advance = async (ms: number) => {
    // A millisecond at a time, letting each check's result settle before time moves on.
    for (let t = 0; t < ms; t++) {
      clock.advance(1);
      await settle();
    }
  };
  return { clock, table, runner, ran, closed, stopped, ready, advance };
}

/** setup(), with the checks due at once (initial delay 0) settled before time moves. */
async function started(job: Job, answers: Record<'ready' | 'alive', boolean[]>) {
  const t = setup(job, answers);
  await settle();
  return t;
}

const START = 5_000_000;
const readyProbe = probe({ when: { kind: 'tcp', host: '127.0.0.1', port: 1 }, initialDelayMs: 1000, intervalMs: 500, successThreshold: 2 });

describe('probe runner', () => {
  it('checks readiness from the initial delay at the interval until successThreshold passes, then marks the job ready once and stops', async () => {
    const job = makeJob({ state: runningState({ startedAt: START }), spec: { probes: { ready: readyProbe } } });
    const t = await started(job, { ready: [false, true, true], alive: [] });
    await t.advance(999);
    expect(t.ran).toEqual([]);
    await t.advance(3000);
    expect(t.ran.map((r) => r.at - START)).toEqual([1000, 1500, 2000]);
    expect(t.ready).toHaveLength(1);
    expect(t.table.get(job.id)?.probes?.ready).toEqual({ at: START + 2000, tookMs: 2000 });
  });

  it('stops an unhealthy job that has a restart policy; without one it only records it', async () => {
    const alive = probe({ intervalMs: 1000, failureThreshold: 2 });
    const withPolicy = makeJob({ state: runningState({ startedAt: START }), spec: { probes: { alive }, restart: defaultRestartSpec('on-failure') } });
    const a = await started(withPolicy, { ready: [], alive: [true, false, false, false, false] });
    await a.advance(2500);
    // Stopped at the check that made it unhealthy (at 2000).
    expect(a.stopped).toEqual([withPolicy.id]);
    expect(a.table.get(withPolicy.id)?.probes?.unhealthySince).toBe(START + 2000);
    // A stop that did not begin (it failed; a crash came first) is asked again at the next failing check…
    await a.advance(1000);
    expect(a.stopped).toEqual([withPolicy.id, withPolicy.id]);
    // …and no more once it is under way.
    a.table.update(withPolicy.id, () => ({ pendingKill: { reason: 'liveness', requestedAt: a.clock.now(), signal: 'SIGTERM', graceMs: 5000, signalled: [], forced: [] } }));
    await a.advance(2000);
    expect(a.stopped).toHaveLength(2);

    const noPolicy = makeJob({ state: runningState({ startedAt: START }), spec: { probes: { alive } } });
    const b = await started(noPolicy, { ready: [], alive: [false, false, false, false, false] });
    await b.advance(3500);
    expect(b.stopped).toEqual([]);
    expect(b.table.get(noPolicy.id)?.probes).toMatchObject({ unhealthySince: START + 1000, liveness: { failures: 4 } });
  });

  it('skips checks while the job is paused or being stopped, and ends its probes with the run', async () => {
    const alive = probe({ intervalMs: 1000 });
    const job = makeJob({ state: runningState({ startedAt: START }), spec: { probes: { alive } } });
    const t = await started(job, { ready: [], alive: [] });
    await t.advance(1500);
    expect(t.ran).toHaveLength(2); // at 0 and 1000
    t.table.apply(job.id, { type: 'pause', at: t.clock.now(), by: 'signals' });
    await t.advance(3000);
    expect(t.ran).toHaveLength(2);
    t.table.apply(job.id, { type: 'resume', at: t.clock.now(), lastOutputAt: null });
    await t.advance(1000);
    expect(t.ran.length).toBeGreaterThan(2);
    t.table.apply(job.id, { type: 'exited', at: t.clock.now(), exitCode: 0, signal: null, kill: null, forced: false });
    expect(t.closed).toEqual(['alive']);
    const after = t.ran.length;
    await t.advance(5000);
    expect(t.ran).toHaveLength(after);
    expect(t.runner.active).toBe(0);
  });

  it('starts liveness checks only once the readiness probe passed', async () => {
    const alive = probe({ intervalMs: 1000 });
    const job = makeJob({ state: runningState({ startedAt: START }), spec: { probes: { ready: readyProbe, alive } } });
    const t = await started(job, { ready: [false, false, false, true, true], alive: [] });
    await t.advance(2900);
    expect(t.ran.filter((r) => r.role === 'alive')).toEqual([]);
    await t.advance(1000);
    // readiness checks at 1000, 1500, 2000, 2500, 3000: ready at 3000 (two passes); liveness from then on
    expect(t.table.get(job.id)?.probes?.ready?.at).toBe(START + 3000);
    expect(t.ran.filter((r) => r.role === 'alive').map((r) => r.at - START)).toEqual([3000]);
  });
});
