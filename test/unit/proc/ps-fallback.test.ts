import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOCK_TICKS_PER_SECOND, HAVE_PROCFS, readProcessTable } from '../../../daemon/proc/process-table.js';
import { parseCpuTime, parsePsRow, psEachEnviron, psReadIdentity, psReadTable } from '../../../daemon/proc/ps-fallback.js';
import { Spawned, TEST_MARKER } from './spawned.js';
import { waitFor } from '../../helpers/wait-for.js';

// This exercises the fallback with the procps `ps` found here; macOS's `ps` flags (-E, no sid
// column) are a separate branch that only runs on macOS.
const HAVE_PS = (() => {
  try {
    execFileSync('ps', ['-o', 'pid=', '-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('ps output parsing', () => {
  it('parses both cpu time formats', () => {
    expect(parseCpuTime('00:00:00')).toBe(0);
    expect(parseCpuTime('1-02:03:04')).toBe(86400 + 2 * 3600 + 3 * 60 + 4); // procps [dd-]hh:mm:ss
    expect(parseCpuTime('12:01.50')).toBeCloseTo(721.5); // BSD mm:ss.cc
  });

  it.skipIf(process.platform === 'darwin')('parses a procps row, comm with spaces included', () => {
    const row = parsePsRow('  4242  4200  4242  4242 Ss+   1000  3860 00:01:02 Sun Nov 22 18:42:26 2026 a) b (c');
    expect(row).toMatchObject({ pid: 4242, ppid: 4200, pgid: 4242, sid: 4242, state: 'S', uid: 1000, rssBytes: 3860 * 1024, utimeTicks: 62 * CLOCK_TICKS_PER_SECOND, comm: 'a) b (c' });
    expect(row!.startTicks).toBe((new Date(2026, 10, 22, 18, 42, 26).getTime() / 1000) * CLOCK_TICKS_PER_SECOND);
    expect(parsePsRow('garbage')).toBeNull();
  });
});

let procs = new Spawned();
afterEach(async () => {
  const done = procs;
  procs = new Spawned();
  await done.cleanup();
});

describe.skipIf(!HAVE_PS)('ps fallback against real processes (procps)', () => {
  it('lists a detached sleep like /proc does, with a stable start-time identity', async () => {
    const before = Date.now();
    const child = procs.spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    const info = await waitFor(async () => {
      const row = (await psReadTable()).get(child.pid);
      return row?.comm === 'sleep' && row.state === 'S' ? row : undefined;
    }, { what: 'sleep in ps' });
    expect(info).toMatchObject({ ppid: process.pid, pgid: child.pid, sid: child.pid, state: 'S', uid: process.getuid!() });
    expect(info.rssBytes).toBeGreaterThan(0);
    // Ticks since the epoch at 1 s resolution.
    expect((info.startTicks * 1000) / CLOCK_TICKS_PER_SECOND).toBeGreaterThan(before - 2000);
    expect((info.startTicks * 1000) / CLOCK_TICKS_PER_SECOND).toBeLessThan(Date.now() + 2000);
    expect((await psReadTable()).get(child.pid)?.startTicks).toBe(info.startTicks);
    expect(await psReadIdentity(child.pid)).toEqual({ state: 'S', startTicks: info.startTicks });
    expect(await psReadIdentity(4_194_305)).toBeNull();
    if (HAVE_PROCFS) {
      const proc = (await readProcessTable()).get(child.pid)!;
      expect({ ppid: info.ppid, pgid: info.pgid, sid: info.sid, comm: info.comm }).toEqual({ ppid: proc.ppid, pgid: proc.pgid, sid: proc.sid, comm: proc.comm });
    }
  });

  it('sees environment markers as whole words', async () => {
    const child = procs.spawn('sleep', ['1000'], { stdio: 'ignore', extraEnv: { PROCD_JOB_ID: '77' } });
    const words = await waitFor(async () => {
      let found: string[] | undefined;
      await psEachEnviron((pid, w) => {
        if (pid === child.pid && w.includes(`${TEST_MARKER}=${procs.marker}`)) found = w;
      });
      return found;
    }, { what: 'the marker in ps output' });
    expect(words).toContain('PROCD_JOB_ID=77');
  });
});
