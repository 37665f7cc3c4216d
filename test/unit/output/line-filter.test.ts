// The rules of a filtered logs read: grep with context and `--` between groups, identical lines
// counted once, the first N, a byte budget cut at a line boundary, and where the next read resumes.

import { describe, expect, it } from 'vitest';
import { allOf, filterLines, matchUntil, type FilterSpec, type Item } from '../../../daemon/output/line-filter.js';
import { GAP_TEXT, repeatSuffix } from '../../../shared/log-budget.js';

const lines = (...texts: string[]) => texts.map((text) => ({ stream: 'stdout', text }));
const spec = (over: Partial<FilterSpec> = {}): FilterSpec => ({ match: null, context: 0, collapse: false, head: null, maxBytes: 1 << 20, ...over });
const grep = (re: RegExp) => (t: string) => re.test(t);

/** The answer as the CLI prints it. */
function show(src: { text: string }[], items: Item[]): string[] {
  return items.map((i) => (i.kind === 'gap' ? GAP_TEXT : `${src[i.first]!.text}${i.count > 1 ? repeatSuffix(i.count) : ''}`));
}

describe('grep with context', () => {
  const src = lines('a', 'b', 'ERR 1', 'c', 'd', 'e', 'f', 'ERR 2', 'g', 'ERR 3', 'h', 'i');

  it('shows N lines around each match, `--` between groups that are not adjacent, a leading `--` when lines were passed', () => {
    const r = filterLines(src, spec({ match: grep(/ERR/), context: 1 }), false);
    expect(show(src, r.items)).toEqual([GAP_TEXT, 'b', 'ERR 1', 'c', GAP_TEXT, 'f', 'ERR 2', 'g', 'ERR 3', 'h']);
    expect(r.items.filter((i) => i.kind === 'line' && i.matched).length).toBe(3);
    expect(r.resume).toBe(src.length);
    expect(r.cut).toBeNull();
  });

  it('without context: only the matches, no separators', () => {
    const r = filterLines(src, spec({ match: grep(/ERR/) }), false);
    expect(show(src, r.items)).toEqual(['ERR 1', 'ERR 2', 'ERR 3']);
  });

  it('overlapping contexts merge into one group; a match in the first line has no leading `--`', () => {
    const s = lines('ERR a', 'x', 'ERR b', 'y', 'z');
    expect(show(s, filterLines(s, spec({ match: grep(/ERR/), context: 2 }), false).items)).toEqual(['ERR a', 'x', 'ERR b', 'y', 'z']);
  });
});

describe('collapse', () => {
  it('counts identical consecutive lines once, per stream', () => {
    const s = [...lines('start'), ...lines(...Array<string>(57).fill('retrying')), { stream: 'stderr', text: 'retrying' }, ...lines('done')];
    const r = filterLines(s, spec({ collapse: true }), false);
    expect(show(s, r.items)).toEqual(['start', `retrying${repeatSuffix(57)}`, 'retrying', 'done']);
  });

  it('applies to the lines grep chose, not across a `--`', () => {
    const s = lines('x', 'E', 'E', 'y', 'z', 'w', 'E');
    expect(show(s, filterLines(s, spec({ match: grep(/^E$/), collapse: true }), false).items)).toEqual([`E${repeatSuffix(3)}`]);
    expect(show(s, filterLines(s, spec({ match: grep(/^E$/), context: 1, collapse: true }), false).items)).toEqual(['x', `E${repeatSuffix(2)}`, 'y', GAP_TEXT, 'w', 'E']);
  });
});

describe('budgets', () => {
  const src = lines('one', 'two', 'three', 'four', 'five');

  it('head: the first N lines; the cut says how many lines and bytes are left and resumes at the first of them', () => {
    const r = filterLines(src, spec({ head: 2 }), false);
    expect(show(src, r.items)).toEqual(['one', 'two']);
    expect(r.cut).toEqual({ by: 'head', lines: 3, bytes: 'three\nfour\nfive\n'.length });
    expect(r.resume).toBe(2);
  });

  it('maxBytes: cut at a line boundary, never inside a line', () => {
    // "one\ntwo\n" is 8 bytes; "three\n" would make 14.
    const r = filterLines(src, spec({ maxBytes: 13 }), false);
    expect(show(src, r.items)).toEqual(['one', 'two']);
    expect(r.cut).toEqual({ by: 'maxBytes', lines: 3, bytes: 16 });
    expect(r.resume).toBe(2);
    expect(filterLines(src, spec({ maxBytes: 14 }), false).resume).toBe(3);
  });

  it('counts the `… ×N` suffix and `--` lines in the bytes; a trailing `--` is not left at the cut', () => {
    const s = lines('a', 'E', 'b', 'c', 'd', 'E', 'f');
    // "a\nE\nb\n" = 6 bytes, then "--\n" (3) fits in 9, but the next group's line does not.
    const r = filterLines(s, spec({ match: grep(/^E$/), context: 1, maxBytes: 10 }), false);
    expect(show(s, r.items)).toEqual(['a', 'E', 'b']);
    expect(r.resume).toBe(4);
  });

  it('a first line longer than the budget is clipped, not skipped, so each read makes progress', () => {
    const s = lines('x'.repeat(1000), 'next');
    const r = filterLines(s, spec({ maxBytes: 300 }), false);
    expect(r.items).toHaveLength(1);
    const first = r.items[0]!;
    expect(first.kind === 'line' && first.clippedBytes).toBeGreaterThan(700);
    expect(r.resume).toBe(1);
  });

  it('no cut when everything fits', () => {
    expect(filterLines(src, spec({ head: 5, maxBytes: 24 }), false).cut).toBeNull();
  });
});

describe('a window cut by the scan bound', () => {
  it('leaves the last lines to the next read: a match needs its after-context and a later match its before-context', () => {
    const s = lines('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'ERR', 'i');
    const r = filterLines(s, spec({ match: grep(/ERR/), context: 2 }), true);
    // The match at 8 is within the last 2 lines' reach: left for the next read, which starts early enough to show its context.
    expect(r.items).toEqual([]);
    expect(r.resume).toBe(6);
    const next = s.slice(r.resume);
    expect(show(next, filterLines(next, spec({ match: grep(/ERR/), context: 2 }), false).items)).toEqual(['g', 'h', 'ERR', 'i']);
  });

  it('a collapsed run that reaches the end of the window is counted by the next read, whole', () => {
    const s = lines('a', 'x', 'x', 'x');
    const r = filterLines(s, spec({ collapse: true }), true);
    expect(show(s, r.items)).toEqual(['a']);
    expect(r.resume).toBe(1);
  });

  it('without context or collapse it answers the whole window', () => {
    const s = lines('ERR', 'b', 'ERR');
    const r = filterLines(s, spec({ match: grep(/ERR/) }), true);
    expect(show(s, r.items)).toEqual(['ERR', 'ERR']);
    expect(r.resume).toBe(3);
  });
});

describe('allOf', () => {
  it('combines the filters asked for: a line must pass each; none asked for: every line', () => {
    expect(allOf([null, null])).toBeNull();
    const one = grep(/a/);
    expect(allOf([one, null])).toBe(one);
    const both = allOf([grep(/a/), grep(/b/)])!;
    expect(['ab', 'a', 'b'].map(both)).toEqual([true, false, false]);
  });
});

describe('matchUntil', () => {
  it('stops matching once its time is spent, at a line boundary, and says where', () => {
    let clock = 0;
    const s = lines(...Array.from({ length: 1000 }, (_, i) => (i % 2 ? 'hit' : 'miss')));
    // Each match takes 1 ms of the fake clock: a 100 ms budget ends the window at the first line after it.
    const r = matchUntil(s, (t) => ((clock += 1), t === 'hit'), 100, () => clock);
    expect(r.upTo).toBe(101);
    expect([...r.hits.slice(0, 4)]).toEqual([0, 1, 0, 1]);
    expect(matchUntil(s, (t) => t === 'hit', 100, () => 0).upTo).toBe(1000);
  });

  it('always matches the first line, even when the time is already spent', () => {
    let clock = 0;
    expect(matchUntil(lines('a', 'b'), () => ((clock += 1000), true), 1, () => clock).upTo).toBeGreaterThanOrEqual(1);
  });
});
