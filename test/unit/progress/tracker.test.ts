// The progress tracker on segment files as the shim writes them: each scan reads only what stdout
// gained since the last one, a job far ahead is skipped ahead (its latest progress counts), a
// re-adopted run's earlier output is not replayed, and one scan makes at most one milestone.

import { appendFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job, JobId } from '../../../shared/job.js';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { ProgressTracker, READ_BYTES, SKIP_AHEAD_BYTES } from '../../../daemon/progress/tracker.js';
import { progressStall } from '../../../daemon/monitor/flags.js';
import { completedState, makeJob, runningState } from '../../helpers/job-factory.js';
import { memoryStore, silentLogger } from '../../helpers/stand-ins.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const NOW = 5_000_000;

function setup(over: { startedAt?: number; daemonStartedAt?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'procd-progress-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'out'));
  const stdout = join(dir, 'out', `stdout.${'0'.repeat(16)}`);
  writeFileSync(stdout, '');
  const job = makeJob({ id: 1, dir, state: runningState({ startedAt: over.startedAt ?? NOW - 10_000 }) });
  const table = new JobTable(memoryStore, { jobs: new Map<JobId, Job>([[1, job]]), nextId: 2 });
  const tracker = new ProgressTracker(table, silentLogger, { instance: 'i', startedAt: over.daemonStartedAt ?? NOW - 60_000, now: () => NOW });
  const milestones: Job[] = [];
  tracker.on('milestone', (j) => milestones.push(j));
  return { table, tracker, stdout, milestones, progress: () => table.get(1)!.progress };
}

describe('ProgressTracker.scan', () => {
  it('reads only what stdout gained since the last scan', async () => {
    const t = setup();
    writeFileSync(t.stdout, 'hello\n::procd progress 10\n::procd progress 20/40 phase=a');
    await t.tracker.scan(1);
    expect(t.progress()).toMatchObject({ percent: 10, reports: 1, source: 'marker' });
    appendFileSync(t.stdout, '\n');
    await t.tracker.scan(1);
    expect(t.progress()).toMatchObject({ percent: 50, phase: 'a', reports: 2 });
    await t.tracker.scan(1); // nothing new: nothing applied again
    expect(t.progress()?.reports).toBe(2);
  });

  it('finds markers in a new segment the shim started after the last scan (the stat shortcut misses nothing)', async () => {
    const t = setup();
    const first = '::procd progress 10\n';
    writeFileSync(t.stdout, first);
    const out = join(t.table.get(1)!.dir, 'out');
    utimesSync(out, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000)); // a directory unchanged for a while: its mtime is trusted
    await t.tracker.scan(1);
    await t.tracker.scan(1); // nothing new: the shortcut
    writeFileSync(join(out, `stdout.${String(first.length).padStart(16, '0')}`), '::procd progress 70\n');
    await t.tracker.scan(1);
    expect(t.progress()).toMatchObject({ percent: 70, reports: 2 });
  });

  it('one scan of many markers is one write and at most one milestone', async () => {
    const t = setup();
    writeFileSync(t.stdout, Array.from({ length: 100 }, (_, i) => `::procd progress ${i + 1}\n`).join(''));
    await t.tracker.scan(1);
    expect(t.progress()).toMatchObject({ percent: 100, reports: 100 });
    expect(t.milestones).toHaveLength(1);
  });

  it('skips ahead of a job far ahead of the scan: only its last READ_BYTES are read', async () => {
    const t = setup();
    const early = '::procd progress 5\n';
    const filler = `${'x'.repeat(99)}\n`.repeat(Math.ceil(SKIP_AHEAD_BYTES / 100));
    writeFileSync(t.stdout, `${early}${filler}::procd progress 90\n`);
    const size = early.length + filler.length + '::procd progress 90\n'.length;
    t.table.updateVolatile(1, (j) => ({ output: { ...j.output, stdoutBytes: size } }));
    await t.tracker.scan(1);
    expect(t.progress()).toMatchObject({ percent: 90, reports: 1 });
    expect(size - READ_BYTES).toBeGreaterThan(early.length);
  });

  it('does not replay what a re-adopted run printed before this daemon started', async () => {
    const t = setup({ startedAt: NOW - 100_000, daemonStartedAt: NOW - 50_000 });
    writeFileSync(t.stdout, '::procd progress 10\n');
    await t.tracker.scan(1);
    expect(t.progress()).toBeUndefined();
    appendFileSync(t.stdout, '::procd progress 30\n');
    await t.tracker.scan(1);
    expect(t.progress()).toMatchObject({ percent: 30, reports: 1 });
  });

  it('refuses a report for a job without a live process', () => {
    const t = setup();
    t.table.apply(1, { type: 'exited', at: NOW, exitCode: 0, signal: null, kill: null, forced: false });
    expect(() => t.tracker.report(1, [{ done: 1, total: null }], 'cli')).toThrow(/only a running job reports progress/);
  });
});

describe('a daemon finding a job that reports progress', () => {
  it("restarts the stall clock at its start: the reports after the last journaled milestone are gone, and that milestone's age is no stall", () => {
    const dir = mkdtempSync(join(tmpdir(), 'procd-progress-'));
    dirs.push(dir);
    // Journaled at 10% after 5 s of a run that has been active 10 min by now: the old daemon saw it reach 19% since.
    const progress = { percent: 10, done: 10, total: null, phase: null, source: 'marker' as const, updatedAt: NOW - 595_000, activeMs: 5_000, advancedActiveMs: 5_000, first: { percent: 10, activeMs: 5_000 }, reports: 1, milestone: { decile: 1, phase: null } };
    const job = makeJob({ id: 1, dir, state: runningState({ startedAt: NOW - 600_000 }), progress, spec: { stuckAfterMs: 60_000 } });
    const ended = makeJob({ id: 2, dir, progress, state: completedState() });
    const table = new JobTable(memoryStore, { jobs: new Map<JobId, Job>([[1, job], [2, ended]]), nextId: 3 });
    expect(progressStall(table.get(1)!.progress!, 600_000, 60_000)).not.toBeNull(); // what the first tick would have flagged
    new ProgressTracker(table, silentLogger, { instance: 'i', startedAt: NOW, now: () => NOW });
    const restored = table.get(1)!.progress!;
    expect(restored).toMatchObject({ percent: 10, advancedActiveMs: 600_000, activeMs: 5_000, first: { activeMs: 5_000 } });
    expect(progressStall(restored, 600_000, 60_000)).toBeNull();
    // Still stalled one stuckAfter later: then it is flagged.
    expect(progressStall(restored, 660_001, 60_000)).not.toBeNull();
    // A job without a live process is left as it was.
    expect(table.get(2)!.progress).toBe(progress);
  });
});
