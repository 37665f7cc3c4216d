import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/job.js';
import { StateStore } from '../../../daemon/store/state-store.js';
import { completedState, makeJob, startingState } from '../../helpers/job-factory.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'procd-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// The records these tests store: what matters is the id and whether the job has ended.
function job(id: number, kind: 'starting' | 'completed' = 'starting'): Job {
  const state = kind === 'starting' ? startingState({ since: id }) : completedState({ startedAt: 1, endedAt: 2, durationMs: 1 });
  return makeJob({ id, createdAt: id, state, dir: `/x/${id}` });
}

describe('StateStore', () => {
  it('replays the journal after a crash without a snapshot', async () => {
    const a = new StateStore(join(dir, 'state.json'));
    a.load();
    a.saveJob(job(1));
    a.saveJob(job(2));
    a.saveJob(job(1, 'completed'));
    a.removeJob(2);
    await a.flush();
    // no close(), no compact(): as if SIGKILLed right after acknowledging
    const b = new StateStore(join(dir, 'state.json')).load();
    expect([...b.jobs.keys()]).toEqual([1]);
    expect(b.jobs.get(1)?.state.kind).toBe('completed');
    expect(b.nextId).toBe(3);
    expect(b.warnings).toEqual([]);
  });

  it('does not replay journal entries already in the snapshot', async () => {
    const a = new StateStore(join(dir, 'state.json'));
    a.load();
    a.saveJob(job(1));
    a.saveJob(job(1, 'completed'));
    await a.compact([job(1, 'completed')], 2);
    // simulate a crash between writing the snapshot and truncating the journal
    writeFileSync(join(dir, 'journal.ndjson'), `${JSON.stringify({ seq: 1, t: 'job', job: job(1) })}\n`);
    const b = new StateStore(join(dir, 'state.json')).load();
    expect(b.jobs.get(1)?.state.kind).toBe('completed');
  });

  it('survives a torn last journal line', async () => {
    const a = new StateStore(join(dir, 'state.json'));
    a.load();
    a.saveJob(job(1));
    await a.flush();
    writeFileSync(join(dir, 'journal.ndjson'), `${readFileSync(join(dir, 'journal.ndjson'), 'utf8')}{"seq":2,"t":"jo`);
    const b = new StateStore(join(dir, 'state.json')).load();
    expect([...b.jobs.keys()]).toEqual([1]);
    expect(b.warnings).toEqual([]);
  });

  it('falls back to the backup when the snapshot is garbage or truncated, and says so', async () => {
    const a = new StateStore(join(dir, 'state.json'));
    a.load();
    await a.compact([job(1)], 2);
    await a.compact([job(1), job(2)], 3);
    truncateSync(join(dir, 'state.json'), 10);
    const b = new StateStore(join(dir, 'state.json')).load();
    expect([...b.jobs.keys()]).toEqual([1]);
    expect(b.warnings.join('\n')).toMatch(/damaged.*moved aside/);
    expect(b.warnings.join('\n')).toMatch(/previous good snapshot/);

    writeFileSync(join(dir, 'state.json'), 'garbage{{{');
    rmSync(join(dir, 'state.json.bak'));
    const c = new StateStore(join(dir, 'state.json')).load();
    expect(c.jobs.size).toBe(0);
    expect(c.warnings.length).toBeGreaterThan(0);
    // the damaged file is kept for inspection, never silently overwritten
    expect(existsSync(join(dir, 'state.json'))).toBe(false);
  });
});
