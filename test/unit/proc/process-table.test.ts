import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bootTimeMs,
  CLOCK_TICKS_PER_SECOND,
  countOpenFds,
  descendantsOf,
  findMarked,
  HAVE_PROCFS,
  isAlive,
  membersOfGroup,
  membersOfSession,
  pageSize,
  readCmdline,
  readIdentity,
  readProcessTable,
  startTimeMs,
} from '../../../daemon/proc/process-table.js';
import { Spawned, TEST_MARKER } from './spawned.js';
import { waitFor } from '../../helpers/wait-for.js';

const NO_SUCH_PID = 4_194_305; // above PID_MAX_LIMIT (2^22): never a real pid

let procs = new Spawned();
let tmp: string | null = null;
afterEach(async () => {
  const done = procs;
  procs = new Spawned();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
  await done.cleanup();
});

/** Waits until `pid` shows in a fresh table as the exec'd `comm`, asleep. */
async function sleeping(pid: number, comm = 'sleep') {
  return waitFor(async () => {
    const info = (await readProcessTable()).get(pid);
    return info?.comm === comm && info.state === 'S' ? info : undefined;
  }, { what: `${pid} to be ${comm} in state S` });
}

describe.skipIf(!HAVE_PROCFS)('process table from /proc', () => {
  it('lists a spawned sleep with our pid as parent, our group and session, asleep', async () => {
    const before = Date.now();
    const child = procs.spawn('sleep', ['1000']);
    const info = await sleeping(child.pid);
    const me = (await readProcessTable()).get(process.pid)!;
    expect(info).toMatchObject({ pid: child.pid, ppid: process.pid, pgid: me.pgid, sid: me.sid, state: 'S', comm: 'sleep', threads: 1, uid: process.getuid!() });
    expect(info.rssBytes).toBeGreaterThan(0);
    // startTicks → wall clock: btime has 1 s resolution, ticks 10 ms.
    expect(startTimeMs(info.startTicks)).toBeGreaterThan(before - 2000);
    expect(startTimeMs(info.startTicks)).toBeLessThan(Date.now() + 2000);
    expect(bootTimeMs() + (info.startTicks * 1000) / CLOCK_TICKS_PER_SECOND).toBe(startTimeMs(info.startTicks));
    // rss is in pages; the kernel's page counters are approximate per-cpu sums (6.2+), so the
    // values in stat, statm and status differ by a few dozen pages: compare loosely with VmRSS.
    expect(info.rssBytes % pageSize()).toBe(0);
    const vmRss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'latin1'))![1]) * 1024;
    expect(info.rssBytes / vmRss).toBeGreaterThan(0.5);
    expect(info.rssBytes / vmRss).toBeLessThan(1.5);
  });

  it('gives a detached child its own group and session, shared by its grandchild; descendantsOf finds the grandchild', async () => {
    const child = procs.spawn('sh', ['-c', 'sleep 1000 & echo $!; wait'], { detached: true });
    const grandchild = Number(await Spawned.firstLine(child));
    await sleeping(grandchild);
    const table = await readProcessTable();
    expect(table.get(child.pid)).toMatchObject({ ppid: process.pid, pgid: child.pid, sid: child.pid, comm: 'sh' });
    expect(table.get(grandchild)).toMatchObject({ ppid: child.pid, pgid: child.pid, sid: child.pid });
    expect(table.get(process.pid)!.pgid).not.toBe(child.pid);
    expect(membersOfGroup(table, child.pid)).toEqual([child.pid, grandchild].sort((a, b) => a - b));
    expect(membersOfSession(table, child.pid)).toEqual([child.pid, grandchild].sort((a, b) => a - b));
    expect(descendantsOf(table, [child.pid])).toEqual([grandchild]);
    expect(descendantsOf(table, [process.pid])).toEqual(expect.arrayContaining([child.pid, grandchild]));
  });

  it('reads a comm that contains spaces and parentheses', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'proc-comm-'));
    const link = join(tmp, 'a) b (c');
    symlinkSync(execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim(), link);
    const child = procs.spawn(link, ['1000']);
    const info = await sleeping(child.pid, 'a) b (c');
    expect(info).toMatchObject({ ppid: process.pid, state: 'S', threads: 1 });
  });

  it('isAlive: true while running, false for another start time, after the kill, and for a pid that never existed', async () => {
    const child = procs.spawn('sleep', ['1000']);
    const { startTicks } = await sleeping(child.pid);
    expect(await readIdentity(child.pid)).toEqual({ startTicks, state: 'S' });
    expect(await isAlive(child.pid)).toBe(true);
    expect(await isAlive(child.pid, startTicks)).toBe(true);
    expect(await isAlive(child.pid, null)).toBe(true);
    expect(await isAlive(child.pid, startTicks + 1)).toBe(false); // a reused pid is not our process
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited; // Node has reaped it
    expect(await isAlive(child.pid, startTicks)).toBe(false);
    expect(await isAlive(NO_SUCH_PID)).toBe(false);
    expect(await readIdentity(NO_SUCH_PID)).toBeNull();
    for (const bad of [0, -1, Number.NaN, 1.5]) expect(await isAlive(bad)).toBe(false);
  });

  it('a zombie is dead: isAlive false although its pid still exists', async () => {
    // The parent never reaps its child until SIGTERM, when it reaps and exits: no zombie is left to PID 1.
    const parent = procs.spawn('perl', ['-e', '$| = 1; my $c = fork(); if ($c == 0) { exit 0 } $SIG{TERM} = sub { waitpid($c, 0); exit 0 }; print "$c\\n"; sleep 1000']);
    const zombie = Number(await Spawned.firstLine(parent));
    const id = await waitFor(async () => {
      const identity = await readIdentity(zombie);
      return identity?.state === 'Z' ? identity : undefined;
    }, { what: 'the child to become a zombie' });
    const table = await readProcessTable();
    expect(table.get(zombie)).toMatchObject({ state: 'Z', ppid: parent.pid });
    expect(await isAlive(zombie)).toBe(false);
    expect(await isAlive(zombie, id.startTicks)).toBe(false);
    expect(await isAlive(parent.pid)).toBe(true);
    // It carried the test marker in life; a zombie is never reported as marked.
    expect(await findMarked(table, [`${TEST_MARKER}=${procs.marker}`])).toEqual([parent.pid]);
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    parent.kill('SIGTERM');
    await exited;
    expect(await readIdentity(zombie)).toBeNull(); // reaped: the pid is gone
  });

  it('findMarked finds a double-forked setsid process by its exact marker entry, and nothing else', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'proc-mark-'));
    const pidFile = join(tmp, 'pid');
    const id = `${process.pid}${Date.now() % 100000}`;
    // setsid -f forks, the child starts a new session, and the parent exits: a true escapee.
    const launcher = procs.spawn('setsid', ['-f', 'sh', '-c', 'echo $$ > "$1.tmp" && mv "$1.tmp" "$1"; exec sleep 1000', 'sh', pidFile], {
      extraEnv: { PROCD_JOB_ID: id },
    });
    const decoys = [
      procs.spawn('sleep', ['1000'], { extraEnv: { PROCD_JOB_ID: `${id}9` } }),
      procs.spawn('sleep', ['1000'], { extraEnv: { X_PROCD_JOB_ID: id } }),
      procs.spawn('sleep', ['1000'], { extraEnv: { OTHER: `PROCD_JOB_ID=${id}` } }),
      procs.spawn('sleep', ['1000'], { extraEnv: { PROCD_JOB_ID: ` ${id}` } }),
    ];
    const escaped = await waitFor(() => {
      try {
        return Number(readFileSync(pidFile, 'utf8')) || undefined;
      } catch {
        return undefined;
      }
    }, { what: 'the escaped pid file' });
    await procs.adopt(escaped);
    await sleeping(escaped);
    for (const d of decoys) await sleeping(d.pid);
    await waitFor(() => launcher.exitCode !== null, { what: 'the launcher to exit' });

    const table = await readProcessTable();
    expect(table.get(escaped)).toMatchObject({ sid: escaped, pgid: escaped });
    expect(table.get(escaped)!.ppid).not.toBe(launcher.pid);
    expect(descendantsOf(table, [process.pid])).not.toContain(escaped); // parent links cannot find it

    expect(await findMarked(table, 'PROCD_JOB_ID', id)).toEqual(new Map([[id, [escaped]]]));
    const all = await findMarked(table, 'PROCD_JOB_ID');
    expect(all.get(id)).toEqual([escaped]);
    expect(all.get(`${id}9`)).toEqual([decoys[0]!.pid]);
    expect(all.get(` ${id}`)).toEqual([decoys[3]!.pid]);
    expect(await findMarked(table, [`PROCD_JOB_ID=${id}`, `${TEST_MARKER}=${procs.marker}`])).toEqual([escaped]);
    expect(await findMarked(table, [`PROCD_JOB_ID=${id}`, `${TEST_MARKER}=other`])).toEqual([]);
    expect(await findMarked(table, [`PROCD_JOB_ID=${id.slice(0, -1)}`])).toEqual([]);
    expect(await findMarked(table, 'PROCD_JOB_ID', `${id}0`)).toEqual(new Map());
  });

  it('keeps scanning while processes come and go mid-scan', async () => {
    const churn = procs.spawn('sh', ['-c', 'while :; do for i in 1 2 3 4 5 6 7 8 9 10; do true & done; wait; done'], { stdio: 'ignore', detached: true });
    await waitFor(async () => (await readProcessTable()).get(churn.pid)?.comm === 'sh', { what: 'churn to start' });
    const seen = new Set<number>();
    for (let i = 0; i < 40; i++) {
      const table = await readProcessTable();
      expect(table.get(process.pid)?.pid).toBe(process.pid);
      for (const pid of membersOfGroup(table, churn.pid)) seen.add(pid);
      await findMarked(table, [`${TEST_MARKER}=${procs.marker}`]);
    }
    expect(seen.size).toBeGreaterThan(1); // short-lived members were caught mid-life, and none broke the scan
  });

  it('counts open fds and reads argv; null for a pid that does not exist', async () => {
    const child = procs.spawn('perl', ['-e', 'sleep 1000', 'an arg', ''], { stdio: 'ignore' });
    await sleeping(child.pid, 'perl');
    expect(await readCmdline(child.pid)).toEqual(['perl', '-e', 'sleep 1000', 'an arg', '']);
    expect(await countOpenFds(child.pid)).toBe(readdirSync(`/proc/${child.pid}/fd`).length);
    expect(await countOpenFds(process.pid)).toBeGreaterThanOrEqual(3);
    expect(await countOpenFds(NO_SUCH_PID)).toBeNull();
    expect(await readCmdline(NO_SUCH_PID)).toBeNull();
  });

  it('CLOCK_TICKS_PER_SECOND matches this kernel: our start tick over our start uptime', () => {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    const startTicks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const startedAtUptime = Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]) - process.uptime();
    expect(startTicks / startedAtUptime).toBeGreaterThan(CLOCK_TICKS_PER_SECOND * 0.97);
    expect(startTicks / startedAtUptime).toBeLessThan(CLOCK_TICKS_PER_SECOND * 1.03);
  });

  it('derives a power-of-two page size', () => {
    expect(pageSize()).toBeGreaterThanOrEqual(4096);
    expect(Math.log2(pageSize()) % 1).toBe(0);
  });
});
