// When output arrived, per chunk: the shim's index (segment-index.ts) says from which offset on
// each stream's bytes arrived at which time, at most INDEX_TIME_STEP_MS apart within one run.
// Chunks read from the segments are split at those entries, so each piece carries the arrival
// time of its first byte; bytes older than the oldest kept index entry have none (null).

import type { StreamName } from './segments.js';
import type { Entry } from './segment-index.js';

export interface OffsetChunk {
  stream: StreamName;
  data: Buffer;
  /** Global offset of the chunk's first byte in its stream. */
  from: number;
}

export interface TimedChunk {
  stream: StreamName;
  data: Buffer;
  /** Epoch ms at which the shim read the first byte; null when the index no longer reaches back that far. */
  at: number | null;
}

/**
 * Splits each chunk at the index entries of its stream that fall inside it. Entries are in
 * arrival order, so each stream's offsets never decrease; of several entries at one offset (a
 * chunk the disk refused leaves one behind) the last counts.
 */
export function splitByArrival(chunks: readonly OffsetChunk[], entries: readonly Entry[]): TimedChunk[] {
  const byStream: Record<StreamName, Entry[]> = { stdout: [], stderr: [] };
  for (const e of entries) byStream[e.s].push(e);
  const pieces: TimedChunk[] = [];
  for (const chunk of chunks) {
    const list = byStream[chunk.stream];
    const end = chunk.from + chunk.data.length;
    let i = lastAtOrBefore(list, chunk.from);
    let at = i >= 0 ? list[i]!.t : null;
    let pos = chunk.from;
    for (i++; i < list.length && list[i]!.off < end; i++) {
      const next = list[i]!;
      if (next.off > pos) {
        pieces.push({ stream: chunk.stream, data: chunk.data.subarray(pos - chunk.from, next.off - chunk.from), at });
        pos = next.off;
      }
      at = next.t;
    }
    if (end > pos || chunk.data.length === 0) pieces.push({ stream: chunk.stream, data: chunk.data.subarray(pos - chunk.from), at });
  }
  return pieces;
}

/** Index of the last entry with off <= pos (the last of equal ones), -1 when none. */
function lastAtOrBefore(list: readonly Entry[], pos: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.off <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Where each chunk starts: chunks of one stream are contiguous and end at the cursor after the read. */
export function withOffsets(chunks: readonly { stream: StreamName; data: Buffer }[], after: Record<StreamName, number>): OffsetChunk[] {
  const pos: Record<StreamName, number> = { ...after };
  for (const c of chunks) pos[c.stream] -= c.data.length;
  return chunks.map((c) => {
    const from = pos[c.stream];
    pos[c.stream] += c.data.length;
    return { stream: c.stream, data: c.data, from };
  });
}
