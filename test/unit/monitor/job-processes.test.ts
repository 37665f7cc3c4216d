// processesOf(): which processes of one table read belong to a job — its group and session,
// processes carrying its markers, all their descendants — and the pid-reuse guard.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { jobRoot, MarkerCache, membersOf, processesOf, snapshotOf, TableIndex } from '../../../daemon/monitor/job-processes.js';
import { readProcessTable, type ProcessTable, type ProcInfo } from '../../../daemon/proc/process-table.js';
import type { Job } from '../../../shared/job.js';
import { waitFor } from '../../helpers/wait-for.js';
import { completedState, makeJob, queuedState, runningState, spawnFailedState } from '../../helpers/job-factory.js';

function p(pid: number, ppid: number, pgid: number, sid: number, startTicks = 1000, state = 'S'): ProcInfo {
  return { pid, ppid, pgid, sid, state, comm: `p${pid}`, startTicks, utimeTicks: 0, stimeTicks: 0, childTicks: 0, threads: 1, rssBytes: 4096, uid: null };
}

function index(...procs: ProcInfo[]): TableIndex {
  const table: ProcessTable = new Map(procs.map((x) => [x.pid, x]));
  return new TableIndex(table);
}

// A small machine: init, a login shell, the daemon, a shim, and a job led by 100.
const base = [
  p(1, 0, 1, 1, 1),
  p(50, 1, 50, 50, 10), // an unrelated shell
  p(51, 50, 50, 50, 11),
  p(90, 1, 90, 90, 20), // the daemon
  p(99, 90, 99, 99, 30), // the job's shim: own session, parent of the job
  p(100, 99, 100, 100, 1000), // job leader: its own group and session
  p(101, 100, 100, 100, 1001), // child in the group
  p(102, 101, 102, 100, 1002), // grandchild in its own group, same session
  p(103, 102, 102, 100, 1003), // its child
];

const root = { pid: 100, startTicks: 1000, ownsGroup: true };

describe('processesOf', () => {
  it('finds the leader, its group, its session and their descendants — not the shim or strangers', () => {
    expect(processesOf(root, [], index(...base), new Set())).toEqual([100, 101, 102, 103]);
  });

  it('finds group members whose parent is elsewhere (reparented to init) and session members in other groups', () => {
    const orphanInGroup = p(110, 1, 100, 100, 1010);
    const otherGroupSameSession = p(111, 1, 111, 100, 1011);
    const itsChild = p(112, 111, 111, 100, 1012);
    expect(processesOf(root, [], index(...base, orphanInGroup, otherGroupSameSession, itsChild), new Set())).toEqual([100, 101, 102, 103, 110, 111, 112]);
  });

  it('finds marked escapees (setsid + double fork) and their descendants', () => {
    const escapee = p(200, 1, 200, 200, 2000); // own session, parent init: found only by marker
    const escapeeChild = p(201, 200, 200, 200, 2001);
    const idx = index(...base, escapee, escapeeChild);
    expect(processesOf(root, [], idx, new Set())).not.toContain(200);
    expect(processesOf(root, [200], idx, new Set())).toEqual([100, 101, 102, 103, 200, 201]);
  });

  it('keeps the group of a leader that has exited (its id cannot be reused while the group exists)', () => {
    const procs = base.filter((x) => x.pid !== 100);
    expect(processesOf(root, [], index(...procs), new Set())).toEqual([101, 102, 103]);
  });

  it('a reused leader pid disables group and session membership, but not markers', () => {
    // pid 100 now belongs to another process (different start time): neither it, nor anything
    // with pgid/sid 100, nor its children may be counted as the job's.
    const reused = p(100, 50, 100, 100, 5000);
    const stranger = p(120, 100, 100, 100, 5001);
    const escapee = p(200, 1, 200, 200, 2000);
    const idx = index(...base.filter((x) => ![100, 101, 102, 103].includes(x.pid)), reused, stranger, escapee);
    expect(processesOf(root, [], idx, new Set())).toEqual([]);
    expect(processesOf(root, [200], idx, new Set())).toEqual([200]);
  });

  it('treats an unknown start time as the same process', () => {
    expect(processesOf({ ...root, startTicks: null }, [], index(...base), new Set())).toEqual([100, 101, 102, 103]);
  });

  it('an adopted root (not owning its group) brings only itself, its descendants and marked processes', () => {
    // adopted pid 51 lives in the group and session of shell 50; those must never be swept in.
    const child = p(60, 51, 50, 50, 12);
    const idx = index(...base, child);
    expect(processesOf({ pid: 51, startTicks: 11, ownsGroup: false }, [], idx, new Set())).toEqual([51, 60]);
    // and a reused adopted pid is not ours
    expect(processesOf({ pid: 51, startTicks: 999, ownsGroup: false }, [], idx, new Set())).toEqual([]);
  });

  it('leaves out excluded pids (the daemon, the shim) but keeps their descendants in the job', () => {
    // the shim (99) is the leader's parent: never found; the daemon in the job's group is left out
    const daemonInGroup = p(90, 1, 100, 100, 20);
    const idx = index(...base.filter((x) => x.pid !== 90 && x.pid !== 99), daemonInGroup);
    expect(processesOf(root, [], idx, new Set([90, 99]))).toEqual([100, 101, 102, 103]);
    expect(processesOf(root, [], index(...base), new Set([102]))).toEqual([100, 101, 103]);
  });

  it('includes zombies (callers decide what to count)', () => {
    const zombie = p(130, 100, 100, 100, 1030, 'Z');
    expect(processesOf(root, [], index(...base, zombie), new Set())).toContain(130);
  });

  it('survives parent-link cycles and duplicate markers', () => {
    const a = p(300, 301, 300, 300, 3000);
    const b = p(301, 300, 300, 300, 3001);
    expect(processesOf(root, [300, 300, 301], index(...base, a, b), new Set())).toEqual([100, 101, 102, 103, 300, 301]);
  });
});

describe('membersOf (the one rule for kill and sampling)', () => {
  const spec = { command: { kind: 'argv', argv: ['x'] }, cwd: '/', env: {}, timeoutMs: null, expectMs: null, stuckAfterMs: 0, maxOutputBytes: 4096 } as Job['spec'];
  const job = (state: Job['state'], id = 1): Job => ({
    id, name: 'x', description: null, tags: [], createdAt: 0, spec, state, pendingKill: null, flags: [], flagHistory: [], resources: null,
    output: { stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null }, dir: '/x',
  });
  const running = (pid = 100, startTicks: number | null = 1000, shimPid: number | null = 99) => job({ kind: 'running', startedAt: 0, pid, startTicks, shimPid });
  const snap = (procs: ProcInfo[], marked: [number, number[]][] = [], selfPid = 90) =>
    snapshotOf(new Map(procs.map((x) => [x.pid, x])), new Map(marked), { selfPid, at: 0, readAtMs: 0, uptimeTicks: null });

  it('a running job: its tree and marked processes, never its shim nor the daemon', () => {
    const escapee = p(200, 1, 200, 200, 2000);
    // the shim and the daemon carry no markers, but were they somehow in the job's group they still would not count
    const shimInGroup = p(99, 90, 100, 100, 30);
    expect(membersOf(running(), snap([...base.filter((x) => x.pid !== 99), shimInGroup, escapee], [[1, [200]]]))).toEqual([100, 101, 102, 103, 200]);
  });

  it('the daemon found in a job (its group) is not a path to other jobs: its children (shims) and theirs stay out', () => {
    const daemonInGroup = p(90, 1, 100, 100, 20);
    const otherShim = p(300, 90, 300, 300, 40);
    const otherJob = p(301, 300, 301, 301, 41);
    expect(membersOf(running(), snap([...base.filter((x) => x.pid !== 90), daemonInGroup, otherShim, otherJob]))).toEqual([100, 101, 102, 103]);
  });

  it('a finished job with a reused main pid: only its marked processes (the kill and the monitor agree)', () => {
    const finished = job(completedState({ startedAt: 0, endedAt: 1, durationMs: 1, pid: 100, startTicks: 1000 }));
    const reused = p(100, 50, 100, 100, 5000);
    const escapee = p(200, 1, 200, 200, 2000);
    const s = snap([...base.filter((x) => ![100, 101, 102, 103].includes(x.pid)), reused, escapee], [[1, [200]]]);
    expect(membersOf(finished, s)).toEqual([200]);
    expect(membersOf(running(), s)).toEqual([200]);
  });

  it("another job's markers do not count; a queued job has only marked processes", () => {
    const s = snap([...base, p(200, 1, 200, 200, 2000)], [[2, [200]]]);
    expect(membersOf(running(), s)).toEqual([100, 101, 102, 103]);
    expect(membersOf(job(queuedState(), 2), s)).toEqual([200]);
    expect(membersOf(job(queuedState(), 3), s)).toEqual([]);
  });

  it('marked pids that are not in the snapshot are not members', () => {
    expect(membersOf(running(), snap(base, [[1, [4242]]]))).toEqual([100, 101, 102, 103]);
  });
});

describe('jobRoot', () => {
  const job = (state: Job['state'], adopted = false): Job => makeJob({ spec: { command: adopted ? { kind: 'adopted', argv: ['x'] } : { kind: 'argv', argv: ['x'] } }, state });

  it('is the main pid of a running or finished job, owning its group unless adopted', () => {
    expect(jobRoot(job(queuedState()))).toBeNull();
    expect(jobRoot(job(runningState({ pid: 5, startTicks: 9, shimPid: 4 })))).toEqual({ pid: 5, startTicks: 9, ownsGroup: true });
    expect(jobRoot(job(runningState({ pid: 5, startTicks: 9, shimPid: null }), true))).toEqual({ pid: 5, startTicks: 9, ownsGroup: false });
    expect(jobRoot(job(completedState({ pid: 5, startTicks: 9 })))).toEqual({ pid: 5, startTicks: 9, ownsGroup: true });
    expect(jobRoot(job(spawnFailedState()))).toBeNull();
  });
});

describe('MarkerCache (real processes)', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  it('finds a process by its markers, and a marker of another instance or job does not count', async () => {
    const instance = `aw-${process.pid}-${Date.now()}`;
    const ours = spawn('sleep', ['1000'], { env: { ...process.env, PROCD_JOB_ID: '7', PROCD_INSTANCE: instance }, stdio: 'ignore' });
    const other = spawn('sleep', ['1000'], { env: { ...process.env, PROCD_JOB_ID: '7', PROCD_INSTANCE: `${instance}-x` }, stdio: 'ignore' });
    const notANumber = spawn('sleep', ['1000'], { env: { ...process.env, PROCD_JOB_ID: 'seven', PROCD_INSTANCE: instance }, stdio: 'ignore' });
    children.push(ours, other, notANumber);
    const cache = new MarkerCache(instance);
    const table = await waitFor(async () => {
      const t = await readProcessTable({ uid: false });
      return [ours, other, notANumber].every((c) => t.get(c.pid!)?.comm === 'sleep') ? t : null;
    }, { what: 'the sleeps to exec' });
    expect(await cache.jobsOf(table)).toEqual(new Map([[7, [ours.pid]]]));
  });

  it('does not remember "not ours" for a process whose environment read came back empty (as it does mid-exec)', async () => {
    // Reading /proc/<pid>/environ while the process is in execve() returns nothing. A process
    // first seen at that moment must be looked at again later, not cached as a stranger for
    // the rest of its life. Simulated deterministically: a process with an empty environment
    // that then execs with the job markers (same pid and start time).
    const instance = `aw-${process.pid}-${Date.now()}`;
    const child = spawn('/usr/bin/perl', ['-e', '$_ = <STDIN>; %ENV = (PROCD_JOB_ID => 9, PROCD_INSTANCE => $ARGV[0]); exec "/usr/bin/sleep", "1000"', instance], {
      env: {},
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    children.push(child);
    const cache = new MarkerCache(instance);
    const before = await waitFor(async () => {
      const t = await readProcessTable({ uid: false });
      return t.get(child.pid!)?.comm === 'perl' ? t : null;
    }, { what: 'perl to run' });
    expect((await cache.jobsOf(before)).get(9)).toBeUndefined();

    child.stdin!.write('go\n');
    const after = await waitFor(async () => {
      const t = await readProcessTable({ uid: false });
      return t.get(child.pid!)?.comm === 'sleep' ? t : null;
    }, { what: 'the exec' });
    expect(after.get(child.pid!)!.startTicks).toBe(before.get(child.pid!)!.startTicks);
    // The new comm shows before the new environment does (the kernel sets it up later in the
    // exec), so one more empty read can come here too; a cache that remembered "not ours" would
    // never find the markers.
    const found = await waitFor(async () => (await cache.jobsOf(await readProcessTable({ uid: false }))).get(9), { what: 'the markers after the exec' });
    expect(found).toEqual([child.pid]);
  });
});
