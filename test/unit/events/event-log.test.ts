// The event bus's durable side on real files: numbers never reused after a kill, none skipped
// after a clean stop, a buffer of `keep`..2×`keep` events that survives a reopen, and gaps for
// what was evicted or (after a machine crash) lost.

import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog, type EventLogOptions } from '../../../daemon/events/event-log.js';
import { gapsAfter, planReplay } from '../../../daemon/events/replay.js';

let dir: string;
const logs: EventLog[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'procd-evlog-'));
});
afterEach(() => {
  for (const l of logs.splice(0)) l.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the log; `kill` leaves it as a SIGKILLed daemon would (no close). */
function open(opts: EventLogOptions = {}): EventLog {
  const log = new EventLog(dir, { syncEveryMs: 0, bootId: 'boot-1', ...opts });
  logs.push(log);
  return log;
}
const kill = (log: EventLog) => logs.splice(logs.indexOf(log), 1);
const publish = (log: EventLog, n: number, kept = true) => {
  const seqs: number[] = [];
  for (let i = 0; i < n; i++) {
    const seq = log.nextSeq();
    if (kept) log.append(seq, JSON.stringify({ seq, at: 0, kind: 'daemon.shutdown', keepJobs: true }));
    seqs.push(seq);
  }
  return seqs;
};
const keptSeqs = (log: EventLog) => log.entries().map((e) => e.seq);

describe('EventLog', () => {
  it('continues right after the last number at a clean stop, and past the whole reserved block after a kill', () => {
    const a = open({ reserveBlock: 100 });
    expect(publish(a, 3)).toEqual([1, 2, 3]);
    a.close();
    logs.splice(0);
    const b = open({ reserveBlock: 100 });
    expect(b.lastSeq).toBe(3);
    expect(publish(b, 2)).toEqual([4, 5]);
    publish(b, 150, false); // samples: numbered, not kept, maybe seen by a subscriber
    expect(b.lastSeq).toBe(155);
    kill(b);
    const c = open({ reserveBlock: 100 });
    // block reserved at 4 → through 103, then at 104 → through 203: nothing up to 203 is reused
    expect(c.lastSeq).toBe(203);
    expect(keptSeqs(c)).toEqual([1, 2, 3, 4, 5]);
    // same boot: the killed daemon's writes were all in the page cache, nothing is reported lost
    expect(gapsAfter(3, c.state())).toEqual([]);
  });

  it('keeps between keep and 2×keep events across rotations and reopening, and reports older ones as evicted', () => {
    const a = open({ keep: 3 });
    publish(a, 8);
    // files of 3: 1-3 became the previous file at 3, and was dropped when 4-6 replaced it
    expect(keptSeqs(a)).toEqual([4, 5, 6, 7, 8]);
    a.close();
    logs.splice(0);
    const b = open({ keep: 3 });
    expect(keptSeqs(b)).toEqual(keptSeqs(a));
    const state = b.state();
    expect(state.firstAvailable).toBe(4);
    expect(gapsAfter(2, state)).toEqual([{ from: 3, to: 3, reason: 'evicted' }]);
    expect(gapsAfter(3, state)).toEqual([]);
    const items = planReplay(6, state, b.entries()).map((i) => ('gap' in i ? `gap ${i.gap.from}-${i.gap.to}` : i.seq));
    expect(items).toEqual([7, 8]);
  });

  it('with the defaults, the last 10,000 kept events survive a reopen: resuming 10,000 back needs no gap', () => {
    const a = open();
    for (let i = 0; i < 25_000; i++) publish(a, 1, i % 5 !== 0); // every fifth a sample: numbered, not kept
    a.close();
    logs.splice(0);
    const b = open();
    expect(b.lastSeq).toBe(25_000);
    const kept = keptSeqs(b);
    expect(kept.length).toBeGreaterThanOrEqual(10_000);
    const from = kept.at(-10_000)! - 1;
    expect(gapsAfter(from, b.state())).toEqual([]);
    expect(planReplay(from, b.state(), b.entries())).toHaveLength(10_000);
  });

  it('after a machine crash (another boot id) the unsynced tail is a lost range for resuming subscribers', () => {
    const a = open({ reserveBlock: 50 });
    publish(a, 4);
    kill(a);
    const b = open({ reserveBlock: 50, bootId: 'boot-2' });
    expect(b.lastSeq).toBe(50);
    expect(gapsAfter(2, b.state())).toEqual([{ from: 5, to: 50, reason: 'lost' }]);
    expect(planReplay(2, b.state(), b.entries()).map((i) => ('gap' in i ? `gap ${i.gap.from}-${i.gap.to}` : i.seq))).toEqual([3, 4, 'gap 5-50']);
    expect(gapsAfter(50, b.state())).toEqual([]);
  });

  it('cuts off a torn last line and appends after it on a line of its own', () => {
    const a = open();
    publish(a, 2);
    kill(a);
    appendFileSync(join(dir, 'events.ndjson'), '{"seq":3,"at":0,"ki');
    const b = open();
    expect(keptSeqs(b)).toEqual([1, 2]);
    const [seq] = publish(b, 1);
    b.close();
    const lines = readFileSync(join(dir, 'events.ndjson'), 'utf8').trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(new RegExp(`^\\{"seq":${seq},`));
    expect(lines.every((l) => JSON.parse(l) !== null)).toBe(true);
  });
});
