import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { CpuSampler, procKey } from '../../../daemon/proc/cpu-sampler.js';
import { CLOCK_TICKS_PER_SECOND, HAVE_PROCFS, readProcessTable, type ProcInfo } from '../../../daemon/proc/process-table.js';
import { Spawned } from './spawned.js';
import { waitFor } from '../../helpers/wait-for.js';

const proc = (pid: number, startTicks: number, utimeTicks: number, stimeTicks = 0): ProcInfo => ({
  pid, ppid: 1, pgid: pid, sid: pid, state: 'R', comm: 'x', startTicks, utimeTicks, stimeTicks, childTicks: 0, threads: 1, rssBytes: 0, uid: null,
});

describe('CpuSampler (synthetic readings)', () => {
  it('returns null on first sight, then user+system ticks over wall time as % of one core', () => {
    const s = new CpuSampler();
    expect(s.sample([proc(10, 5, 0)], 1000)).toEqual(new Map([['10:5', null]]));
    // 50 + 25 ticks in 1 s at 100 ticks/s = 75%; a two-thread spinner may exceed 100%.
    expect(s.sample([proc(10, 5, 50, 25)], 2000).get('10:5')).toBeCloseTo((75 / CLOCK_TICKS_PER_SECOND) * 100);
    expect(s.sample(new Map([[10, proc(10, 5, 150, 125)]]), 3000).get('10:5')).toBeCloseTo((200 / CLOCK_TICKS_PER_SECOND) * 100);
  });

  it('never mixes a reused pid with the old process, and forgets processes that disappeared', () => {
    const s = new CpuSampler();
    s.sample([proc(10, 5, 100), proc(11, 6, 0)], 0);
    expect(s.size).toBe(2);
    const r = s.sample([proc(10, 900, 3)], 1000); // pid 10 reused by a newer process
    expect(r).toEqual(new Map([['10:900', null]]));
    expect(s.size).toBe(1);
    expect(s.sample([proc(11, 6, 50)], 2000).get('11:6')).toBeNull(); // 11 was forgotten in between
  });

  it('gives null, not a bogus rate, when no time passed or the counter went backwards', () => {
    const s = new CpuSampler();
    s.sample([proc(1, 1, 10)], 500);
    expect(s.sample([proc(1, 1, 20)], 500).get('1:1')).toBeNull();
    expect(s.sample([proc(1, 1, 20)], 1500).get('1:1')).toBeCloseTo(10); // spans 500 → 1500
    expect(s.sample([proc(1, 1, 5)], 2500).get('1:1')).toBeNull();
  });

  it('keys by pid and start time', () => {
    expect(procKey({ pid: 42, startTicks: 7 })).toBe('42:7');
  });
});

let procs = new Spawned();
afterEach(async () => {
  const done = procs;
  procs = new Spawned();
  await done.cleanup();
});

/** The kernel's own ns accounting for `pid` (/proc/<pid>/schedstat): time on a CPU, time runnable but waiting. */
function schedstat(pid: number): { runNs: number; waitNs: number } {
  const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'latin1').split(' ').map(Number);
  return { runNs: run!, waitNs: wait! };
}

describe.skipIf(!HAVE_PROCFS)('CpuSampler (real processes)', () => {
  it('reports ~100% of a core for a busy loop and ~0% for sleep', async () => {
    const busy = procs.spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' });
    const idle = procs.spawn('sleep', ['1000'], { stdio: 'ignore' });
    await waitFor(async () => {
      const t = await readProcessTable();
      return t.get(busy.pid)?.comm === 'node' && t.get(idle.pid)?.comm === 'sleep';
    }, { what: 'both children to exec' });
    const sampler = new CpuSampler();
    let at = performance.now();
    let sched = schedstat(busy.pid);
    const first = sampler.sample(await readProcessTable(), at);
    const key = (pid: number) => [...first.keys()].find((k) => k.startsWith(`${pid}:`))!;
    const [busyKey, idleKey] = [key(busy.pid), key(idle.pid)];
    expect(first.get(busyKey)).toBeNull(); // unknown, not 0
    expect(first.get(idleKey)).toBeNull();

    // Windows of >= 600 ms. On a loaded machine a spinner can be kept off the CPU for a while:
    // schedstat tells how much CPU it really got, and up to 5 windows are tried to find one in
    // which it had (nearly) a core to itself.
    let window = { busyPct: 0, idlePct: 0, kernelPct: 0, runnablePct: 0 };
    for (let w = 0; w < 5; w++) {
      await waitFor(() => performance.now() - at >= 600, { what: 'the window to pass', timeoutMs: 10_000, everyMs: 20 });
      const now = performance.now();
      const readings = sampler.sample(await readProcessTable(), now);
      const s = schedstat(busy.pid);
      const wallNs = (now - at) * 1e6;
      window = {
        busyPct: readings.get(busyKey)!,
        idlePct: readings.get(idleKey)!,
        kernelPct: ((s.runNs - sched.runNs) / wallNs) * 100,
        runnablePct: ((s.runNs - sched.runNs + s.waitNs - sched.waitNs) / wallNs) * 100,
      };
      [at, sched] = [now, s];
      if (window.kernelPct >= 75) break;
    }
    const seen = JSON.stringify(window);
    // The sampler agrees with the kernel's ns accounting, and the loop was runnable throughout.
    expect(Math.abs(window.busyPct - window.kernelPct), seen).toBeLessThan(15);
    expect(window.runnablePct, seen).toBeGreaterThan(85);
    expect(window.busyPct, seen).toBeLessThanOrEqual(130);
    if (window.kernelPct >= 75) expect(window.busyPct, seen).toBeGreaterThanOrEqual(60);
    expect(window.idlePct, seen).toBeGreaterThanOrEqual(0);
    expect(window.idlePct, seen).toBeLessThan(20);
  });
});
