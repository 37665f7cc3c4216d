// Paused time does not count toward --timeout: the real Stopper and Pauser bookkeeping (state
// transitions, the timeout deadline cancelled on pause and re-armed on resume) driven by a fake
// clock; the stop itself is replaced by a recorder, so no process is involved.

import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { Deadlines } from '../../../daemon/jobs/deadlines.js';
import { EndWatcher } from '../../../daemon/jobs/end-watcher.js';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { Stopper, type StopResult } from '../../../daemon/jobs/stopper.js';
import type { SupervisorContext } from '../../../daemon/jobs/supervisor-context.js';
import { makeSpec } from '../../helpers/job-factory.js';
import { FakeClock } from './fake-clock.js';
import { memoryStore } from '../../helpers/stand-ins.js';

function setup(timeoutMs: number) {
  const clock = new FakeClock();
  const deadlines = new Deadlines(clock);
  const table = new JobTable(memoryStore, { jobs: new Map(), nextId: 1 });
  const ctx: SupervisorContext = {
    table,
    store: memoryStore,
    logger: pino({ level: 'silent' }),
    opts: { jobsDir: '/nonexistent', instance: 'test', cgroupRoot: null, defaultGraceMs: 1000, defaultMaxOutputBytes: 4096, defaultStuckAfterMs: 0, pollMs: 1000 },
    deadlines,
    persistQuietly: async () => undefined,
  };
  const stopper = new Stopper(ctx, new EndWatcher(ctx));
  const stops: { at: number; reason: string }[] = [];
  vi.spyOn(stopper, 'stop').mockImplementation(async (id, signal, _grace, reason) => {
    stops.push({ at: clock.now(), reason });
    return { id, state: 'timed_out', signal, signalled: [], forced: [] } satisfies StopResult;
  });
  const { id } = table.create({ name: 't', description: null, tags: [], spec: makeSpec({ timeoutMs }), dirFor: () => '/nonexistent/1' });
  table.apply(id, { type: 'launch', at: clock.now() });
  const job = table.apply(id, { type: 'started', at: clock.now(), pid: 100, startTicks: 1, shimPid: 99 })!;
  stopper.armTimeout(job);
  return { clock, table, stopper, stops, id, t0: clock.now() };
}

describe('--timeout with pauses', () => {
  it('a 10 s timeout paused for a minute after 4 s fires after 10 s of running, 70 s after the start', () => {
    const { clock, stopper, stops, id, t0 } = setup(10_000);
    clock.advance(4000);
    stopper.pauser.recordPaused(id, 'signals');
    clock.advance(60_000);
    expect(stops).toEqual([]);
    stopper.pauser.recordResumed(id, null);
    clock.advance(5999);
    expect(stops).toEqual([]);
    clock.advance(1);
    expect(stops).toEqual([{ at: t0 + 70_000, reason: 'timeout' }]);
  });

  it('adds up several pauses', () => {
    const { clock, stopper, stops, id, t0 } = setup(10_000);
    for (let i = 0; i < 3; i++) {
      clock.advance(2000);
      stopper.pauser.recordPaused(id, 'freezer');
      clock.advance(30_000);
      stopper.pauser.recordResumed(id, null);
    }
    expect(stops).toEqual([]);
    clock.advance(3999);
    expect(stops).toEqual([]);
    clock.advance(1);
    expect(stops).toEqual([{ at: t0 + 100_000, reason: 'timeout' }]);
  });

  it('a job paused past its timeout is not stopped while paused', () => {
    const { clock, table, stopper, stops, id } = setup(1000);
    stopper.pauser.recordPaused(id, 'signals');
    clock.advance(86_400_000);
    expect(stops).toEqual([]);
    expect(table.get(id)?.state.kind).toBe('paused');
  });
});
