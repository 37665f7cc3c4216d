import { describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/job.js';
import { Deadlines } from '../../../daemon/jobs/deadlines.js';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { onceCancelled, waitFor } from '../../../daemon/jobs/waits.js';
import { FakeClock } from './fake-clock.js';
import { memoryStore } from '../../helpers/stand-ins.js';

// The table only needs somewhere to queue its records; durability is the store's own test.

function setup() {
  const clock = new FakeClock();
  const deadlines = new Deadlines(clock);
  const table = new JobTable(memoryStore, { jobs: new Map(), nextId: 1 });
  const job = table.create({
    name: 'w',
    description: null,
    tags: [],
    spec: { command: { kind: 'argv', argv: ['true'] }, cwd: '/', env: {}, timeoutMs: null, expectMs: null, stuckAfterMs: 0, maxOutputBytes: 4096, kind: 'task', stopSignal: 'SIGTERM', stopGraceMs: null },
    dirFor: () => '/tmp/none',
  });
  return { clock, deadlines, table, id: job.id };
}
const running = ([j]: (Job | undefined)[]) => j?.state.kind === 'running';

describe('waitFor', () => {
  it('resolves met at once when the predicate already holds', async () => {
    const { deadlines, table, id } = setup();
    await expect(waitFor(table, deadlines, [id], ([j]) => j !== undefined, { timeoutMs: null })).resolves.toBe('met');
  });

  it('resolves met on the change that makes it true', async () => {
    const { deadlines, table, id } = setup();
    const w = waitFor(table, deadlines, [id], running, { timeoutMs: 1000 });
    table.apply(id, { type: 'started', at: 1, pid: 5, startTicks: 1, shimPid: 4 });
    await expect(w).resolves.toBe('met');
  });

  it('resolves timeout when the deadline passes first, also for a 30-day timeout', async () => {
    const { clock, deadlines, table, id } = setup();
    const w = waitFor(table, deadlines, [id], running, { timeoutMs: 30 * 86_400_000 });
    clock.advance(29 * 86_400_000);
    let settled = false;
    void w.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(86_400_000);
    await expect(w).resolves.toBe('timeout');
    expect(table.listenerCount('change')).toBe(0);
  });

  it('resolves cancelled when the waiter goes away, and stops listening', async () => {
    const { deadlines, table, id } = setup();
    let close!: () => void;
    const w = waitFor(table, deadlines, [id], running, { timeoutMs: null, cancelled: new Promise<void>((r) => (close = r)) });
    close();
    await expect(w).resolves.toBe('cancelled');
    expect(table.listenerCount('change')).toBe(0);
    expect(table.listenerCount('removed')).toBe(0);
  });

  it('sees a removal (the job is passed as undefined)', async () => {
    const { deadlines, table, id } = setup();
    const w = waitFor(table, deadlines, [id], ([j]) => j === undefined, { timeoutMs: null });
    table.remove(id);
    await expect(w).resolves.toBe('met');
  });
});

describe('JobTable', () => {
  it('changes a state only through the state machine: update() keeps the state, refused events are announced', () => {
    const { table, id } = setup();
    const before = table.get(id)!;
    // A caller that slips a state in (the object is not checked for extra fields) does not change it.
    const after = table.update(id, () => ({ state: { kind: 'lost' }, pendingKill: null }))!;
    expect(after.state).toBe(before.state);
    const refused: string[] = [];
    table.on('refused', (r) => refused.push(`${r.event.type}: ${r.error}`));
    expect(table.apply(id, { type: 'exited', at: 1, exitCode: 0, signal: null, kill: null, forced: false })).toBeNull();
    expect(refused).toEqual(['exited: event exited does not apply to a starting job']);
  });
});

describe('onceCancelled', () => {
  it('acts when the waiter goes, unless detached first (then the closed promise keeps nothing of the wait)', async () => {
    let close!: () => void;
    const closed = new Promise<void>((r) => (close = r));
    const calls: string[] = [];
    onceCancelled(closed, () => calls.push('kept'));
    const detach = onceCancelled(closed, () => calls.push('detached'));
    detach();
    close();
    await closed;
    await Promise.resolve();
    expect(calls).toEqual(['kept']);
  });
});
