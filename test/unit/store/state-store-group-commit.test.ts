// Group commit: concurrent flushes share one journal write + fsync; flushes asked for while an
// fsync is in flight share the next one; every caller is answered only once its change is on
// disk; a failed commit fails every caller that shared it and loses nothing. Real files, with
// the journal's file handle wrapped to count (and hold) its fsyncs.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../shared/errors.js';
import type { Job } from '../../../shared/job.js';
import { StateStore, type JournalHandle } from '../../../daemon/store/state-store.js';
import { makeJob } from '../../helpers/job-factory.js';

let dir: string;
let stateFile: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'procd-commit-'));
  stateFile = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function job(id: number): Job {
  return makeJob({ id, createdAt: id, dir: `/x/${id}` });
}

/** A real journal file whose fsyncs are counted, can be held at a gate, and can be made to fail. */
function instrumented() {
  const fs = { syncs: 0, completed: 0, gate: null as Promise<void> | null, failNext: false };
  const openJournal = async (file: string): Promise<JournalHandle> => {
    const handle = await open(file, 'a', 0o600);
    const wrapped: JournalHandle = {
      write: handle.write.bind(handle) as JournalHandle['write'],
      truncate: handle.truncate.bind(handle),
      stat: handle.stat.bind(handle) as JournalHandle['stat'],
      close: handle.close.bind(handle),
      async datasync() {
        fs.syncs++;
        const gate = fs.gate;
        if (gate) await gate;
        if (fs.failNext) {
          fs.failNext = false;
          throw Object.assign(new Error('injected EIO'), { code: 'EIO' });
        }
        await handle.datasync();
        fs.completed++;
      },
    };
    return wrapped;
  };
  return { fs, store: new StateStore(stateFile, { openJournal }) };
}

/** Ids of the job records in the journal file right now. */
function journalIds(): number[] {
  let text = '';
  try {
    text = readFileSync(join(dir, 'journal.ndjson'), 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { job?: Job }).job?.id ?? -1);
}

describe('StateStore group commit', () => {
  it('N concurrent changes share one write and one fsync', async () => {
    const { fs, store } = instrumented();
    store.load();
    await Promise.all(Array.from({ length: 50 }, (_, i) => (store.saveJob(job(i + 1)), store.flush())));
    expect(fs.syncs).toBe(1);
    expect(journalIds()).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await store.close();
  });

  it('changes that arrive while an fsync is in flight share the next one; each caller is answered once its change is durable', async () => {
    const { fs, store } = instrumented();
    store.load();
    let release!: () => void;
    fs.gate = new Promise<void>((r) => (release = r));
    const seen: { id: number; durable: boolean; completedSyncs: number }[] = [];
    const change = (id: number) => {
      store.saveJob(job(id));
      return store.flush().then(() => seen.push({ id, durable: journalIds().includes(id), completedSyncs: fs.completed }));
    };
    const first = change(1);
    // wait until the first commit is inside its fsync, then 20 more changes arrive
    while (fs.syncs === 0) await new Promise((r) => setImmediate(r));
    const later = Array.from({ length: 20 }, (_, i) => change(i + 2));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([]); // nobody is answered while the fsync is held
    fs.gate = null;
    release();
    await Promise.all([first, ...later]);
    expect(fs.syncs).toBe(2);
    expect(seen.find((s) => s.id === 1)).toEqual({ id: 1, durable: true, completedSyncs: 1 });
    for (const s of seen.filter((x) => x.id !== 1)) expect(s).toEqual({ id: s.id, durable: true, completedSyncs: 2 });
    await store.close();
  });

  it('a flush with nothing new still waits for the commit in flight that holds earlier changes', async () => {
    const { fs, store } = instrumented();
    store.load();
    let release!: () => void;
    fs.gate = new Promise<void>((r) => (release = r));
    store.saveJob(job(1));
    const first = store.flush();
    while (fs.syncs === 0) await new Promise((r) => setImmediate(r));
    let answered = false;
    const empty = store.flush().then(() => (answered = true));
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe(false);
    fs.gate = null;
    release();
    await Promise.all([first, empty]);
    expect(fs.completed).toBe(1); // the empty flush cost no fsync of its own
    await store.close();
  });

  it('a failed commit answers StorageFailed to every caller that shared it; the next flush writes all of it once', async () => {
    const { fs, store } = instrumented();
    store.load();
    fs.failNext = true;
    const results = await Promise.allSettled([1, 2, 3].map((id) => (store.saveJob(job(id)), store.flush())));
    expect(fs.syncs).toBe(1);
    for (const r of results) expect(r).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.StorageFailed, data: { code: 'EIO' } } });
    expect(journalIds()).toEqual([]); // the failed write was cut back
    await store.flush();
    expect(journalIds()).toEqual([1, 2, 3]);
    await store.close();
    expect([...new StateStore(stateFile).load().jobs.keys()]).toEqual([1, 2, 3]);
  });
});
