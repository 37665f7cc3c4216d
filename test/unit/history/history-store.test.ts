import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryStore } from '../../../daemon/history/history-store.js';
import { historyRun } from './history-run.js';

let dir: string;
let home: string;
const open: HistoryStore[] = [];
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'procd-history-'));
  dir = join(home, 'history');
});
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  rmSync(home, { recursive: true, force: true });
});

function openStore(options: Parameters<typeof HistoryStore.open>[1] = {}): HistoryStore {
  const s = HistoryStore.open(dir, { now: () => 10_000_000, ...options });
  open.push(s);
  return s;
}

const segmentFiles = () => readdirSync(dir).filter((n) => /^runs-\d+\.jsonl$/.test(n));

describe('HistoryStore', () => {
  it('tallies its runs per state, the restarts and the oldest end from the columns (what stats answers)', () => {
    const s = openStore();
    expect(s.tally()).toEqual({ byState: {}, restarts: 0, oldestEndedAt: null });
    s.record(historyRun({ state: 'completed', endedAt: 5000 }));
    s.record(historyRun({ state: 'failed', exitCode: 1, restarts: 1, run: 2, endedAt: 6000 }));
    s.record(historyRun({ state: 'failed', exitCode: 1, restarts: 2, run: 3, endedAt: 7000 }));
    expect(s.tally()).toEqual({ byState: { completed: 1, failed: 2 }, restarts: 2, oldestEndedAt: 5000 });
  });

  it('appends runs with increasing seqs and loads them back, every field intact, stderr tail included', async () => {
    const a = openStore();
    const first = a.record(historyRun({ jobId: 3, name: 'web', tags: ['x', 'y'], stderrTail: ['Error: listen EADDRINUSE :::3000'], errors: [{ signature: 'EADDRINUSE', detail: '3000', line: 'Error: listen EADDRINUSE :::3000' }], flags: ['stuck'], violations: ['memory'], exitCode: 1, state: 'failed', cpuPeak: null }));
    const second = a.record(historyRun({ jobId: 4, signal: 'SIGKILL', exitCode: 137, state: 'killed', outcome: 'signal', outcomeDetail: 'exited 0 after SIGTERM', readyAfterMs: 250 }));
    expect([first.seq, second.seq]).toEqual([1, 2]);
    await a.flush();
    const b = openStore();
    const runs = b.runsSince(0);
    // as JSON (the tail is read from disk when touched) and field by field
    expect(JSON.parse(JSON.stringify(runs))).toEqual([first, second]);
    expect(runs[0]!.stderrTail).toEqual(['Error: listen EADDRINUSE :::3000']);
    expect(Object.keys(runs[0]!)).not.toContain('stderrTail');
    expect(b.warnings).toEqual([]);
    // seqs are never reused after a restart
    expect(b.record(historyRun()).seq).toBe(3);
  });

  it('skips a torn last line (a crash mid-write) and appends after it cleanly', async () => {
    const a = openStore();
    a.record(historyRun({ jobId: 1 }));
    a.record(historyRun({ jobId: 2 }));
    await a.flush();
    const [file] = segmentFiles();
    appendFileSync(join(dir, file!), '{"v":1,"seq":3,"jobId":3,"na');
    const b = openStore();
    expect(b.runsSince(0).map((r) => r.jobId)).toEqual([1, 2]);
    expect(b.warnings.join()).toMatch(/torn last line/);
    b.record(historyRun({ jobId: 9 }));
    await b.flush();
    const c = openStore();
    expect(c.runsSince(0).map((r) => r.jobId)).toEqual([1, 2, 9]);
    expect(c.warnings).toEqual([]);
  });

  it('skips a damaged line in the middle and keeps the others', async () => {
    const a = openStore();
    a.record(historyRun({ jobId: 1 }));
    await a.flush();
    const [file] = segmentFiles();
    appendFileSync(join(dir, file!), 'not json at all\n');
    a.record(historyRun({ jobId: 2 }));
    await a.flush();
    const b = openStore();
    expect(b.runsSince(0).map((r) => r.jobId)).toEqual([1, 2]);
    expect(b.warnings.join()).toMatch(/1 damaged line/);
  });

  it('sets a foreign file aside and starts anyway; a file where the directory should be too', async () => {
    mkdirSync(dir);
    writeFileSync(join(dir, 'runs-000000000001.jsonl'), '{"some":"other program"}\n[1,2,3]\n');
    const a = openStore();
    expect(a.size).toBe(0);
    expect(a.warnings.join()).toMatch(/holds no history record; set aside/);
    expect(readdirSync(dir).some((n) => n.includes('.foreign-'))).toBe(true);
    a.record(historyRun());
    await a.flush();
    expect(openStore().size).toBe(1);

    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'I am a file');
    const b = openStore();
    expect(b.warnings.join()).toMatch(/was not a directory; set aside/);
    b.record(historyRun());
    await b.flush();
    expect(openStore().size).toBe(1);
  });

  it('keeps at most maxRuns, dropping the oldest, in memory and after a reload', async () => {
    const a = openStore({ maxRuns: 5 });
    for (let i = 1; i <= 12; i++) a.record(historyRun({ jobId: i }));
    expect(a.runsSince(0).map((r) => r.jobId)).toEqual([8, 9, 10, 11, 12]);
    await a.flush();
    expect(openStore({ maxRuns: 5 }).runsSince(0).map((r) => r.jobId)).toEqual([8, 9, 10, 11, 12]);
  });

  it('forgets runs older than maxAgeMs, at load and when maintained', async () => {
    let now = 10_000_000;
    const a = openStore({ maxAgeMs: 60_000, now: () => now });
    a.record(historyRun({ jobId: 1, startedAt: now - 100_000, durationMs: 1000 }));
    a.record(historyRun({ jobId: 2, startedAt: now - 10_000, durationMs: 1000 }));
    expect(a.runsSince(0).map((r) => r.jobId)).toEqual([2]);
    await a.flush();
    now += 55_000;
    await a.maintain();
    expect(a.size).toBe(0);
    expect(openStore({ maxAgeMs: 60_000, now: () => now }).size).toBe(0);
  });

  it('compaction deletes segments of dropped runs and rewrites a mostly dropped one, keeping the newest with their tails', async () => {
    const a = openStore({ maxRuns: 10, segmentRuns: 8 });
    for (let i = 1; i <= 30; i++) a.record(historyRun({ jobId: i, stderrTail: [`line of run ${i}`] }));
    await a.flush();
    expect(segmentFiles().length).toBe(4);
    await a.maintain();
    // runs 21–30 are kept: segment 17–24 rewritten to 21–24, 25–30 is the active one, older ones gone
    expect(segmentFiles().length).toBe(2);
    const kept = a.runsSince(0);
    expect(kept.map((r) => r.jobId)).toEqual([21, 22, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(kept.map((r) => r.stderrTail[0])).toEqual(kept.map((r) => `line of run ${r.jobId}`));
    const lines = segmentFiles().reduce((n, f) => n + readFileSync(join(dir, f), 'utf8').trim().split('\n').length, 0);
    expect(lines).toBe(10);
    const b = openStore({ maxRuns: 10, segmentRuns: 8 });
    expect(b.runsSince(0).map((r) => r.stderrTail[0])).toEqual(kept.map((r) => r.stderrTail[0]));
    expect(b.record(historyRun()).seq).toBe(31);
  });

  it('lets go of the strings only dropped runs used: names, commands and error lines that never repeat do not pile up', async () => {
    const a = openStore({ maxRuns: 10 });
    for (let i = 1; i <= 3000; i++) {
      a.record(historyRun({ jobId: i, name: `job-${i}`, command: `run ${i}`, signature: `["run","${i}"]@/`, tags: [`t${i}`], outcomeDetail: `detail ${i}`, errors: [{ signature: 'x', detail: null, line: `error ${i}` }] }));
    }
    expect(a.interned).toBeGreaterThan(3000 * 5);
    await a.maintain();
    expect(a.interned).toBeLessThan(100);
    const kept = a.runsSince(0);
    expect(kept.map((r) => [r.name, r.command, r.tags[0], r.outcomeDetail, r.errors[0]!.line])).toEqual(
      Array.from({ length: 10 }, (_, k) => 2991 + k).map((i) => [`job-${i}`, `run ${i}`, `t${i}`, `detail ${i}`, `error ${i}`]),
    );
    const plain = a.record(historyRun({ jobId: 9999 }));
    expect(a.recent({ limit: 1 })[0]).toMatchObject({ seq: plain.seq, tags: [], errors: [] });
  });

  it('lists recent runs newest first, by job id or name, since a time, up to a limit', () => {
    const a = openStore();
    for (let i = 1; i <= 6; i++) a.record(historyRun({ jobId: i % 2 ? 1 : 2, name: i % 2 ? 'odd' : 'even', startedAt: 1000 * i, durationMs: 10 }));
    expect(a.recent({ limit: 3 }).map((r) => r.seq)).toEqual([6, 5, 4]);
    expect(a.recent({ jobId: 1, limit: 10 }).map((r) => r.seq)).toEqual([5, 3, 1]);
    expect(a.recent({ name: 'even', limit: 10 }).map((r) => r.seq)).toEqual([6, 4, 2]);
    expect(a.recent({ since: 4000, limit: 10 }).map((r) => r.seq)).toEqual([6, 5, 4]);
  });

  it('learns baselines as runs are recorded and forgets the runs the bounds drop', () => {
    const a = openStore({ maxRuns: 4 });
    const sig = '["sleep","1"]@/tmp';
    for (const d of [1000, 1100]) a.record(historyRun({ signature: sig, durationMs: d }));
    expect(a.baseline(sig)).toBeNull();
    a.record(historyRun({ signature: sig, durationMs: 3000, state: 'failed', exitCode: 1 }));
    expect(a.baseline(sig)).toBeNull(); // a failed run does not count
    a.record(historyRun({ signature: sig, durationMs: 1200 }));
    expect(a.baseline(sig)).toEqual({ signature: sig, runs: 3, medianMs: 1100, p90Ms: 1200 });
    a.record(historyRun({ signature: 'other', durationMs: 5 }));
    // the 1000 ms run was dropped by maxRuns: two successful runs are left
    expect(a.baseline(sig)).toBeNull();
  });
});
