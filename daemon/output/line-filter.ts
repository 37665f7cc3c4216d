// Which lines a filtered `logs` read answers with, within its budget: matching lines with their
// context (grep's -C, `--` between groups), identical consecutive lines counted once, the first N,
// cut at a byte budget at a line boundary, and the line to continue from. Pure: the read
// (daemon/handlers/logs-lines.ts) gives it the lines of one window of output.

import { GAP_TEXT, repeatSuffix } from '../../shared/log-budget.js';

/** Whether a line is wanted: a --grep regex, an error signature. `index`: its place in the window. */
export type LinePredicate = (text: string, index: number) => boolean;

/** Lines every given predicate wants (null entries are filters not asked for); null when none is given. */
export function allOf(predicates: readonly (LinePredicate | null)[]): LinePredicate | null {
  const given = predicates.filter((p): p is LinePredicate => p !== null);
  if (given.length <= 1) return given[0] ?? null;
  return (text, index) => given.every((p) => p(text, index));
}

/**
 * Which lines match, in order, until `budgetMs` has passed (at least one line is matched): the
 * window then ends at `upTo` and the next read goes on from there.
 */
export function matchUntil(lines: readonly Text[], match: LinePredicate, budgetMs: number, now: () => number = () => performance.now()): { hits: Uint8Array; upTo: number } {
  const hits = new Uint8Array(lines.length);
  const deadline = now() + budgetMs;
  for (let i = 0; i < lines.length; i++) {
    if (i > 0 && now() > deadline) return { hits, upTo: i };
    hits[i] = match(lines[i]!.text, i) ? 1 : 0;
  }
  return { hits, upTo: lines.length };
}

export interface FilterSpec {
  /** null: every line. */
  match: LinePredicate | null;
  /** Lines shown before and after each matching line. */
  context: number;
  collapse: boolean;
  /** At most this many lines (a collapsed run counts once); null: no limit. */
  head: number | null;
  /** Printed bytes of the answer: each line with its newline, `… ×N` suffixes, `--` lines. */
  maxBytes: number;
}

/** A line of the answer standing for lines first..last of the window (count > 1: identical ones collapsed), or a `--`. */
export type Item = { kind: 'line'; first: number; last: number; count: number; matched: boolean; clippedBytes?: number } | { kind: 'gap' };

export interface Filtered {
  items: Item[];
  /** The window's line to continue from (its length: after the window). */
  resume: number;
  /** What the budget (head or maxBytes) left out of this window's answer; null when nothing was. */
  cut: { by: 'head' | 'maxBytes'; lines: number; bytes: number } | null;
}

interface Text {
  stream: string;
  text: string;
}

/**
 * The answer for one window of lines. `limited`: the window ends because the scan bound was
 * reached, not at the end of the output, so the last lines are left to the next read when they
 * could still change: a match needs its after-context, a line after it may be a match whose
 * before-context they are, a collapsed run may go on.
 */
export function filterLines(lines: readonly Text[], spec: FilterSpec, limited: boolean): Filtered {
  const n = spec.match ? spec.context : 0;
  const whole = select(lines, spec, lines.length);
  let items = whole;
  let resume = lines.length;
  if (limited) {
    const held = holdBack(lines, spec, n);
    // A window too short to hold anything back is answered whole (its boundary may then split a group).
    if (held.resume > 0) ({ items, resume } = held);
  }
  const budget = cutToBudget(items, lines, spec);
  if (budget.cutAt === null) return { items, resume, cut: null };
  const first = items.slice(budget.cutAt).find((i) => i.kind === 'line');
  return { items: budget.kept, resume: first?.kind === 'line' ? first.first : resume, cut: budget.cut };
}

function holdBack(lines: readonly Text[], spec: FilterSpec, n: number): { items: Item[]; resume: number } {
  let items = select(lines, spec, Math.max(0, lines.length - n));
  const shown = items.filter((i): i is Extract<Item, { kind: 'line' }> => i.kind === 'line');
  let resume = Math.max((shown.at(-1)?.last ?? -1) + 1, lines.length - 2 * n);
  const last = shown.at(-1);
  if (spec.collapse && last && last.matched && last.last === lines.length - 1) {
    items = items.slice(0, items.lastIndexOf(last));
    resume = last.first;
  }
  while (items.at(-1)?.kind === 'gap') items = items.slice(0, -1);
  return { items, resume };
}

/** Matching lines among the first `matchEnd` (context from anywhere), collapsed when asked. */
function select(lines: readonly Text[], spec: FilterSpec, matchEnd: number): Item[] {
  const items = spec.match ? grep(lines, spec.match, spec.context, matchEnd) : lines.slice(0, matchEnd).map((_, i): Item => ({ kind: 'line', first: i, last: i, count: 1, matched: true }));
  return spec.collapse ? collapse(items, lines) : items;
}

/** grep -C N: matches and N lines around each, a gap between groups and before a first group that is not the window's first line. */
export function grep(lines: readonly Text[], match: LinePredicate, context: number, matchEnd = lines.length): Item[] {
  const items: Item[] = [];
  let shownUpTo = -1; // lines before this are shown or passed over
  for (let i = 0; i < matchEnd; i++) {
    if (!match(lines[i]!.text, i)) continue;
    const from = Math.max(shownUpTo + 1, i - context);
    if (context > 0 && from > shownUpTo + 1 && from > 0) items.push({ kind: 'gap' });
    for (let j = from; j < i; j++) items.push({ kind: 'line', first: j, last: j, count: 1, matched: false });
    items.push({ kind: 'line', first: i, last: i, count: 1, matched: true });
    shownUpTo = i;
    // After-context: lines up to N after; a match among them starts its own context from here.
    const to = Math.min(lines.length - 1, i + context);
    for (let j = i + 1; j <= to; j++) {
      if (j < matchEnd && match(lines[j]!.text, j)) break;
      items.push({ kind: 'line', first: j, last: j, count: 1, matched: false });
      shownUpTo = j;
    }
    i = shownUpTo;
  }
  return items;
}

/** Consecutive identical lines (same stream, same text) as one item with their count; not across a gap. */
export function collapse(items: readonly Item[], lines: readonly Text[]): Item[] {
  const out: Item[] = [];
  for (const item of items) {
    const prev = out.at(-1);
    if (item.kind === 'line' && prev?.kind === 'line' && sameLine(lines[prev.first]!, lines[item.first]!)) {
      out[out.length - 1] = { ...prev, last: item.last, count: prev.count + item.count, matched: prev.matched || item.matched };
    } else out.push(item);
  }
  return out;
}

const sameLine = (a: Text, b: Text) => a.text === b.text && a.stream === b.stream;

/** Bytes an item takes when printed. */
export function printedBytes(item: Item, lines: readonly Text[]): number {
  if (item.kind === 'gap') return Buffer.byteLength(GAP_TEXT) + 1;
  return Buffer.byteLength(lines[item.first]!.text) + 1 + (item.count > 1 ? Buffer.byteLength(repeatSuffix(item.count)) : 0);
}

/**
 * The items that fit the head and byte budgets, cut at a line boundary (a trailing `--` goes too).
 * A first line longer than the whole budget is not skipped: it is kept, marked as clipped (the
 * reader prints as much of it as fits), so every read makes progress.
 */
export function cutToBudget(items: readonly Item[], lines: readonly Text[], spec: Pick<FilterSpec, 'head' | 'maxBytes'>): { kept: Item[]; cutAt: number | null; cut: Filtered['cut'] } {
  let bytes = 0;
  let shown = 0;
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    const size = printedBytes(item, lines);
    const byHead = item.kind === 'line' && spec.head !== null && shown >= spec.head;
    const byBytes = bytes + size > spec.maxBytes;
    if (!byHead && !byBytes) {
      bytes += size;
      if (item.kind === 'line') shown++;
      continue;
    }
    if (!byHead && shown === 0 && item.kind === 'line') {
      // The first line alone is over the budget: clip it and go on after it.
      const text = Buffer.byteLength(lines[item.first]!.text);
      const kept: Item = { ...item, clippedBytes: text - Math.max(0, Math.min(text, spec.maxBytes - bytes - 1 - CLIP_MARK_BYTES)) };
      return finish(items, [...items.slice(0, k), kept], k + 1, byHead ? 'head' : 'maxBytes', lines);
    }
    return finish(items, items.slice(0, k), k, byHead ? 'head' : 'maxBytes', lines);
  }
  return { kept: [...items], cutAt: null, cut: null };
}

/** Room kept for the mark a reader prints after a clipped line (` …[+65536 bytes]`). */
const CLIP_MARK_BYTES = 24;

function finish(items: readonly Item[], kept: Item[], cutAt: number, by: 'head' | 'maxBytes', lines: readonly Text[]): ReturnType<typeof cutToBudget> {
  while (kept.at(-1)?.kind === 'gap') kept.pop();
  const rest = items.slice(cutAt).filter((i) => i.kind === 'line');
  if (rest.length === 0) return { kept, cutAt: null, cut: null };
  const bytes = rest.reduce((sum, i) => sum + printedBytes(i, lines), 0);
  return { kept, cutAt, cut: { by, lines: rest.length, bytes } };
}
