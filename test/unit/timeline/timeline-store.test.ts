import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait-for.js';
import { MAX_OPEN, TIMELINE_FILE, TimelineStore, trimmed } from '../../../daemon/timeline/timeline-store.js';
import type { TimelineEntry } from '../../../shared/timeline.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function jobsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'procd-tl-'));
  dirs.push(dir);
  return dir;
}
const e = (at: number, detail = `e${at}`): TimelineEntry => ({ at, run: 1, kind: 'started', detail });

describe('timeline store', () => {
  it('appends per job, creates a queued job’s directory, and reads in time order (a call dated at its arrival first)', () => {
    const dir = jobsDir();
    const store = new TimelineStore(dir);
    store.append(3, e(200, 'paused'));
    store.append(3, e(100, 'pause asked'));
    store.append(4, e(150));
    expect(store.read(3).map((x) => x.detail)).toEqual(['pause asked', 'paused']);
    expect(store.read(4)).toHaveLength(1);
    expect(store.read(5)).toEqual([]);
  });

  it('within one millisecond a call goes before what it caused, though written after it (kill: request, then stopping)', () => {
    const dir = jobsDir();
    const store = new TimelineStore(dir);
    store.append(3, { at: 500, run: 1, kind: 'stopping', detail: 'stop asked for: SIGTERM' });
    store.append(3, { at: 500, run: 1, kind: 'request', detail: 'kill' });
    store.append(3, { at: 500, run: 1, kind: 'ended', detail: 'killed' });
    expect(store.read(3).map((x) => x.kind)).toEqual(['request', 'stopping', 'ended']);
  });

  it('reads what an earlier daemon wrote (a new store on the same files) and skips a torn line', () => {
    const dir = jobsDir();
    new TimelineStore(dir).append(1, e(100));
    appendFileSync(join(dir, '1', TIMELINE_FILE), '{"at":200,"ki');
    const again = new TimelineStore(dir);
    expect(again.read(1).map((x) => x.at)).toEqual([100]);
  });

  it('stays bounded per job: past the bound it keeps the first entries, a marker and the latest', () => {
    const dir = jobsDir();
    const store = new TimelineStore(dir, undefined, 40);
    for (let i = 1; i <= 100; i++) store.append(1, e(i));
    const lines = readFileSync(join(dir, '1', TIMELINE_FILE), 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(40);
    const kept = store.read(1);
    expect(kept[0]?.at).toBe(1);
    expect(kept.at(-1)?.at).toBe(100);
    expect(kept.some((x) => x.kind === 'trimmed')).toBe(true);
  });

  it('keeps a job’s file open between its entries (one open per job, not per entry), each line readable at once, at most MAX_OPEN files open', () => {
    const dir = jobsDir();
    const store = new TimelineStore(dir);
    store.append(1, e(100));
    // Written with write(2), not buffered: what a SIGKILLed daemon wrote is in the file.
    expect(readFileSync(join(dir, '1', TIMELINE_FILE), 'utf8')).toBe(`${JSON.stringify(e(100))}\n`);
    store.append(1, e(200));
    expect(store.openFiles).toBe(1);
    for (let job = 2; job <= MAX_OPEN + 10; job++) store.append(job, e(job));
    expect(store.openFiles).toBe(MAX_OPEN);
    // Job 1's file was closed (least recently written): its next entry opens it again, after the others.
    store.append(1, e(300));
    expect(store.read(1).map((x) => x.at)).toEqual([100, 200, 300]);
    store.forget(1);
    store.closeAll();
    expect(store.openFiles).toBe(0);
  });

  it('after close() (its directory moved aside) the next entry goes to the file at the job’s path', () => {
    const dir = jobsDir();
    const store = new TimelineStore(dir);
    store.append(1, e(100));
    renameSync(join(dir, '1'), join(dir, '1.stale'));
    store.close(1);
    store.append(1, e(200));
    expect(store.read(1).map((x) => x.at)).toEqual([200]);
    store.closeAll();
  });

  it('prepare() creates a new job’s directory and file in the background; its first entry then finds the file open', async () => {
    const dir = jobsDir();
    const store = new TimelineStore(dir);
    store.prepare(7);
    await waitFor(() => store.openFiles === 1, { what: 'the background open' });
    expect(readFileSync(join(dir, '7', TIMELINE_FILE), 'utf8')).toBe('');
    store.append(7, e(100));
    expect(store.openFiles).toBe(1);
    expect(store.read(7).map((x) => x.at)).toEqual([100]);
    store.closeAll();
  });

  it('a background open that close() overtook is not used (its job’s directory was moved aside meanwhile)', async () => {
    const dir = jobsDir();
    const store = new TimelineStore(dir);
    store.prepare(8);
    store.close(8);
    // Another job's background open, begun after, ends after job 8's (one thread pool, in order enough): wait for it.
    store.prepare(9);
    await waitFor(() => store.openFiles === 1, { what: 'job 9’s background open' });
    store.append(9, e(1));
    expect(store.openFiles).toBe(1);
    store.closeAll();
  });

  it('counts the lines an earlier daemon wrote, so the bound holds across restarts', () => {
    const dir = jobsDir();
    const first = new TimelineStore(dir, undefined, 40);
    for (let i = 1; i <= 30; i++) first.append(1, e(i));
    first.closeAll();
    const again = new TimelineStore(dir, undefined, 40);
    for (let i = 31; i <= 45; i++) again.append(1, e(i));
    again.closeAll();
    expect(readFileSync(join(dir, '1', TIMELINE_FILE), 'utf8').trim().split('\n').length).toBeLessThanOrEqual(40);
    expect(again.read(1).some((x) => x.kind === 'trimmed')).toBe(true);
  });

  it('a refusing disk costs the entry, never the caller', () => {
    const dir = jobsDir();
    const errors: number[] = [];
    // A file where the job's directory should be: every append fails.
    appendFileSync(join(dir, '9'), 'not a directory');
    const store = new TimelineStore(dir, (_err, job) => errors.push(job));
    expect(() => store.append(9, e(1))).not.toThrow();
    expect(errors).toEqual([9]);
  });
});

describe('trimmed', () => {
  it('keeps everything within the bound', () => {
    const all = [e(1), e(2)];
    expect(trimmed(all, 10, 2)).toEqual(all);
  });

  it('keeps the first N and the latest, saying how many went, with room to grow', () => {
    const all = Array.from({ length: 30 }, (_, i) => e(i + 1));
    const kept = trimmed(all, 20, 5);
    expect(kept.slice(0, 5).map((x) => x.at)).toEqual([1, 2, 3, 4, 5]);
    expect(kept[5]).toMatchObject({ kind: 'trimmed', detail: '16 older entries dropped to keep the timeline bounded' });
    expect(kept.at(-1)?.at).toBe(30);
    expect(kept.length).toBeLessThan(20);
  });
});
