// What a subscriber resuming with `afterSeq` is owed: the kept events after it, and a gap for
// each stretch the daemon can no longer show (evicted from the buffer, lost in a machine crash,
// or a seq this home never issued). Pure: the event bus carries the plan out.

export type GapReason = 'evicted' | 'lost' | 'reset';

export interface SeqRange {
  from: number;
  to: number;
}

export interface Gap extends SeqRange {
  reason: GapReason;
}

export interface ReplayState {
  /** The last seq issued. */
  lastSeq: number;
  /** Every kept kind of event with seq >= this is in the buffer (older ones were evicted). */
  firstAvailable: number;
  /** Ranges the previous daemon may have published but that did not reach the disk (a machine crash). */
  lost: readonly SeqRange[];
}

/** A gap (sent as its `to`) or a kept event, in seq order. */
export type ReplayItem<E> = { seq: number; gap: Gap } | { seq: number; event: E };

/** The gaps a subscriber that saw everything up to `afterSeq` must be told about, in seq order. */
export function gapsAfter(afterSeq: number, state: ReplayState): Gap[] {
  if (afterSeq > state.lastSeq) return [{ from: 1, to: state.lastSeq, reason: 'reset' }];
  const gaps: Gap[] = [];
  if (afterSeq + 1 < state.firstAvailable) gaps.push({ from: afterSeq + 1, to: state.firstAvailable - 1, reason: 'evicted' });
  for (const r of state.lost) {
    const from = Math.max(r.from, afterSeq + 1, state.firstAvailable);
    if (from <= r.to) gaps.push({ from, to: r.to, reason: 'lost' });
  }
  return gaps.sort((a, b) => a.from - b.from);
}

/** Gaps and the kept events after `afterSeq`, merged in seq order (a gap goes before an event of the same seq). */
export function planReplay<E extends { seq: number }>(afterSeq: number, state: ReplayState, kept: Iterable<E>): ReplayItem<E>[] {
  const gaps = gapsAfter(afterSeq, state);
  if (gaps[0]?.reason === 'reset') return [{ seq: state.lastSeq, gap: gaps[0] }];
  const items: ReplayItem<E>[] = gaps.map((gap) => ({ seq: gap.to, gap }));
  for (const event of kept) if (event.seq > afterSeq) items.push({ seq: event.seq, event });
  return items.sort((a, b) => a.seq - b.seq || ('gap' in a ? -1 : 1));
}
