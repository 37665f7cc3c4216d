// Damage and failure: a broken snapshot falls back to the backup without losing anything, records
// of the wrong shape are skipped, a failed journal write loses nothing and leaves no torn line,
// and a flush overlapping a compaction is neither dropped nor failed. Real files in a temp dir.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, ProcdError } from '../../../shared/errors.js';
import type { Job } from '../../../shared/job.js';
import { StateStore } from '../../../daemon/store/state-store.js';
import { completedState, makeJob, startingState } from '../../helpers/job-factory.js';

let dir: string;
let stateFile: string;
let journalFile: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'procd-store-'));
  stateFile = join(dir, 'state.json');
  journalFile = join(dir, 'journal.ndjson');
});
// Stores left open on purpose (a SIGKILLed daemon closes nothing) are closed once the test is done.
const opened: StateStore[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

function newStore(): StateStore {
  const s = new StateStore(stateFile);
  opened.push(s);
  return s;
}

function job(id: number, kind: 'starting' | 'completed' = 'starting'): Job {
  const state = kind === 'starting' ? startingState({ since: id }) : completedState({ startedAt: 1, endedAt: 2, durationMs: 1, pid: 10, startTicks: null });
  return makeJob({ id, createdAt: id, state, dir: `/x/${id}` });
}

/** A store plus the in-memory table the daemon keeps next to it. */
function open() {
  const store = newStore();
  const loaded = store.load();
  const table = loaded.jobs;
  let nextId = loaded.nextId;
  return {
    store,
    loaded,
    table,
    create() {
      const j = job(nextId++);
      table.set(j.id, j);
      store.saveJob(j);
      return j.id;
    },
    complete(id: number) {
      table.set(id, job(id, 'completed'));
      store.saveJob(job(id, 'completed'));
    },
    remove(id: number) {
      table.delete(id);
      store.removeJob(id);
    },
    compact: () => store.compact(table.values(), nextId),
  };
}

const summary = (jobs: Map<number, Job>) => [...jobs.values()].map((j) => `${j.id}:${j.state.kind}`).sort();

/** records, compact, more records, compact again, more changes that are only in the journal. */
async function history() {
  const s = open();
  s.create();
  s.create();
  await s.compact();
  s.create();
  s.create();
  await s.compact();
  s.complete(1);
  s.remove(4);
  await s.store.flush();
  // not closed: as if SIGKILLed after the last answer
  return summary(s.table);
}

describe('falling back to state.json.bak loses nothing', () => {
  const damages: Record<string, () => void> = {
    garbage: () => writeFileSync(stateFile, 'garbage{{{'),
    truncated: () => truncateSync(stateFile, 10),
    missing: () => rmSync(stateFile),
    'valid JSON of another shape': () => writeFileSync(stateFile, '{"format":1,"jobs":{}}'),
  };
  for (const [name, damage] of Object.entries(damages)) {
    it(`state.json ${name}`, async () => {
      const expected = await history();
      expect(expected).toEqual(['1:completed', '2:starting', '3:starting']);
      damage();
      const b = new StateStore(stateFile).load();
      expect(summary(b.jobs)).toEqual(expected);
      expect(b.nextId).toBe(5); // 4 was removed, but never reused
      expect(b.warnings.join('\n')).toMatch(/previous good snapshot/);
      expect(b.warnings.join('\n')).not.toMatch(/missing/);
    });
  }

  it('across daemon sessions (compaction at start and stop) and a compaction mid-session', async () => {
    for (let session = 0; session < 3; session++) {
      const s = open();
      await s.compact(); // start
      s.create();
      await s.store.flush();
      await s.compact(); // the 2000-entry compaction
      s.create();
      await s.store.flush();
      await s.compact(); // stop
      await s.store.close();
    }
    const s = open();
    await s.compact();
    s.create();
    await s.store.flush();
    s.create();
    await s.compact();
    s.complete(1);
    await s.store.flush();
    const expected = summary(s.table);
    expect(expected).toHaveLength(8);
    writeFileSync(stateFile, '{"format":1,"journ');
    const b = new StateStore(stateFile).load();
    expect(summary(b.jobs)).toEqual(expected);
    expect(b.nextId).toBe(9);
  });

  it('after a crash between the snapshot rename and the journal rotation', async () => {
    const s = open();
    s.create();
    await s.compact();
    s.create();
    await s.store.flush();
    const journalBefore = readFileSync(journalFile);
    const prevBefore = existsSync(join(dir, 'journal.prev.ndjson')) ? readFileSync(join(dir, 'journal.prev.ndjson')) : null;
    await s.compact();
    // put the journals back as they were before the rotation
    writeFileSync(journalFile, journalBefore);
    if (prevBefore) writeFileSync(join(dir, 'journal.prev.ndjson'), prevBefore);
    else rmSync(join(dir, 'journal.prev.ndjson'), { force: true });
    writeFileSync(stateFile, 'garbage');
    const b = new StateStore(stateFile).load();
    expect(summary(b.jobs)).toEqual(['1:starting', '2:starting']);
    expect(b.nextId).toBe(3);
  });

  it('a damaged state.json never replaces the good backup, and the journal keeps covering it', async () => {
    await history();
    writeFileSync(stateFile, 'garbage');
    const s = open(); // falls back to the backup
    await s.compact(); // writes a fresh state.json
    s.create();
    await s.store.flush();
    const expected = summary(s.table);
    writeFileSync(stateFile, 'garbage again');
    const b = new StateStore(stateFile).load();
    expect(summary(b.jobs)).toEqual(expected);
    expect(b.nextId).toBe(6);
  });

  it('says so when both snapshots are gone and the journals do not reach back', async () => {
    await history();
    await open().compact(); // the next start: now the backup is the second snapshot
    rmSync(stateFile);
    rmSync(`${stateFile}.bak`);
    const b = new StateStore(stateFile).load();
    expect(summary(b.jobs)).toEqual(['1:completed']);
    expect(b.warnings.join('\n')).toMatch(/journal entries 1\.\.4 are missing/);
    expect(b.nextId).toBe(5);
  });
});

describe('records of the wrong shape are skipped with a warning', () => {
  it('in the journal', async () => {
    const a = open();
    a.create();
    a.create();
    await a.store.flush();
    const bad = [
      { seq: 100, t: 'job', job: null },
      { seq: 101, t: 'job', job: { ...job(7), state: undefined } },
      { seq: 102, t: 'job', job: { ...job(8), state: { kind: 'exploded' } } },
      { seq: 103, t: 'job', job: { ...job(1), id: -1 } },
      { seq: 104, t: 'job', job: { ...job(1), id: '3' } },
      { seq: 105, t: 'job', job: { ...job(9), state: { kind: 'running', startedAt: 1 } } },
      { seq: 106, t: 'job', job: { ...job(2), spec: { ...job(2).spec, command: null } } },
      { seq: 107, t: 'rm' },
      [],
      'text',
    ];
    writeFileSync(journalFile, `${readFileSync(journalFile, 'utf8')}${bad.map((b) => JSON.stringify(b)).join('\n')}\n`);
    const b = new StateStore(stateFile).load();
    expect(summary(b.jobs)).toEqual(['1:starting', '2:starting']);
    // ids of skipped records are not handed out again
    expect(b.nextId).toBe(10);
    const text = b.warnings.join('\n');
    expect(text).toMatch(/skipped 10 record\(s\) of the wrong shape: journal\.ndjson line 3: job is null; journal\.ndjson line 4: state is missing; journal\.ndjson line 5: state\.kind "exploded" is unknown;/);
    expect(text).toMatch(/and 7 more/);
    for (const w of b.warnings) expect(w).not.toMatch(/\n/);
  });

  it('in the snapshot', async () => {
    const good = job(1);
    const jobs = [null, good, { ...job(2), state: { kind: 'bad\nkind' } }, { ...job(3), name: 3 }, { ...job(4), state: { ...job(4, 'completed').state, kind: 'timed_out', forced: true } }];
    writeFileSync(stateFile, JSON.stringify({ format: 1, savedAt: 0, journalSeq: 0, nextId: 2, jobs }));
    const b = new StateStore(stateFile).load();
    expect([...b.jobs.keys()]).toEqual([1]);
    expect(b.nextId).toBe(5);
    expect(b.warnings).toHaveLength(2);
    // The snapshot as found is kept: the next one will not have the records set aside.
    expect(b.warnings[0]).toMatch(/state\.json: 4 record\(s\) set aside; the file as found is kept as .*state\.json\.corrupt-\d+$/);
    expect(readFileSync(b.warnings[0]!.split(' kept as ')[1]!, 'utf8')).toBe(JSON.stringify({ format: 1, savedAt: 0, journalSeq: 0, nextId: 2, jobs }));
    expect(b.warnings[1]).toMatch(/state\.json job #0: job is null; state\.json job #2: state\.kind "bad\\nkind" is unknown; state\.json job #3: name is not a string; and 1 more/);
  });

  it('fills in fields older records lack', () => {
    const { pid: _pid, startTicks: _ticks, ...oldState } = completedState({ startedAt: 1, endedAt: 2, durationMs: 1 });
    const { flags: _f, flagHistory: _h, resources: _r, output: _o, ...old } = { ...job(1), state: oldState };
    writeFileSync(stateFile, JSON.stringify({ format: 1, savedAt: 0, journalSeq: 0, nextId: 2, jobs: [old] }));
    const b = new StateStore(stateFile).load();
    expect(b.warnings).toEqual([]);
    expect(b.jobs.get(1)).toMatchObject({ state: { kind: 'completed', pid: null, startTicks: null }, flags: [], output: { stdoutBytes: 0 } });
  });
});

describe('a failed journal write', () => {
  it.skipIf(!existsSync('/dev/full'))('answers StorageFailed, keeps the entries queued and writes them with the next flush', async () => {
    const s = newStore();
    s.load();
    // The journal now lives on a full disk (a real ENOSPC from write()).
    symlinkSync('/dev/full', journalFile);
    s.saveJob(job(1));
    s.saveJob(job(2));
    const err = await s.flush().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProcdError);
    expect(err).toMatchObject({ code: ErrorCode.StorageFailed, data: { code: 'ENOSPC' } });
    expect((err as Error).message).toMatch(/^could not save job records: ENOSPC/);
    // The disk has room again; the retried batch goes first, so the newer record of 1 wins.
    rmSync(journalFile);
    s.saveJob(job(1, 'completed'));
    s.saveJob(job(3));
    await s.flush();
    const b = new StateStore(stateFile).load();
    expect(summary(b.jobs)).toEqual(['1:completed', '2:starting', '3:starting']);
    expect(b.warnings).toEqual([]);
  });

  it('fails when the journal cannot be opened, and retries later', async () => {
    const s = newStore();
    s.load();
    s.saveJob(job(1));
    // a directory where the journal should be: open fails with EISDIR
    mkdirSync(journalFile);
    await expect(s.flush()).rejects.toMatchObject({ code: ErrorCode.StorageFailed, data: { code: 'EISDIR' } });
    rmSync(journalFile, { recursive: true });
    await s.flush();
    expect([...new StateStore(stateFile).load().jobs.keys()]).toEqual([1]);
  });
});

describe('journal operations run one at a time', () => {
  it('a flush overlapping compact() is neither failed nor dropped', async () => {
    const s = open();
    s.create();
    await s.store.flush(); // the journal is open
    const compacted = s.compact();
    const errors: unknown[] = [];
    const flushes: Promise<unknown>[] = [];
    // flushes at every point of the compaction: before, during and after its awaits
    for (let i = 0; i < 8; i++) {
      s.create();
      flushes.push(s.store.flush().catch((e: unknown) => errors.push(e)));
      await (i % 2 ? Promise.resolve() : new Promise((r) => setImmediate(r)));
    }
    await compacted;
    await Promise.all(flushes);
    expect(errors).toEqual([]);
    const expected = summary(s.table);
    expect(expected).toHaveLength(9);
    expect(summary(new StateStore(stateFile).load().jobs)).toEqual(expected);
  });
});

describe('damaged journal lines and crash leftovers', () => {
  it('copies a damaged journal aside, keeps the good lines, and reports it once on one line', async () => {
    const a = open();
    a.create();
    await a.store.flush();
    a.create();
    await a.store.flush();
    const lines = readFileSync(journalFile, 'utf8').split('\n');
    writeFileSync(journalFile, `${lines[0]}\n{"seq":broken\n${lines[1]}\n`);
    const b = new StateStore(stateFile).load();
    expect(summary(b.jobs)).toEqual(['1:starting', '2:starting']);
    const aside = readdirSync(dir).filter((f) => f.startsWith('journal.ndjson.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!), 'utf8')).toContain('{"seq":broken');
    expect(b.warnings).toHaveLength(1);
    expect(b.warnings[0]).toMatch(/1 damaged line\(s\) skipped; the journal as found is kept as .*journal\.ndjson\.corrupt-\d+$/);
    const c = new StateStore(stateFile).load();
    expect(c.warnings).toEqual([]);
    expect(summary(c.jobs)).toEqual(['1:starting', '2:starting']);
  });

  it('cuts off a torn last line so the next entry is not glued to it', async () => {
    const a = open();
    a.create();
    await a.store.flush();
    writeFileSync(journalFile, `${readFileSync(journalFile, 'utf8')}{"seq":2,"t":"jo`);
    const b = open();
    expect(b.loaded.warnings).toEqual([]);
    b.create();
    await b.store.flush();
    const c = new StateStore(stateFile).load();
    expect(summary(c.jobs)).toEqual(['1:starting', '2:starting']);
    expect(c.warnings).toEqual([]);
  });

  it('removes temp files a crash mid-compaction left', async () => {
    const a = open();
    a.create();
    await a.compact();
    const leftovers = [`state.json.tmp-${process.pid + 1}`, 'state.json.bak.tmp-77', 'journal.ndjson.tmp-123'];
    for (const f of leftovers) writeFileSync(join(dir, f), 'half');
    writeFileSync(join(dir, 'state.json.tmp-notes'), 'not ours');
    const b = new StateStore(stateFile).load();
    expect(summary(b.jobs)).toEqual(['1:starting']);
    for (const f of leftovers) expect(existsSync(join(dir, f))).toBe(false);
    expect(existsSync(join(dir, 'state.json.tmp-notes'))).toBe(true);
  });
});
