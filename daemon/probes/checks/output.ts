// `output=REGEX`: a line of the job's stdout or stderr matches. Each check reads what the current
// run wrote since the previous check (from the start of the run's output for the first), so a line
// written before the first check counts, and a success means "a matching line appeared since the
// last check": for readiness, the line has appeared; for liveness, a heartbeat.
//
// The reading is bounded so a flooding job cannot stall the daemon: at most READ_BYTES per stream
// per check (the rest waits for the next check), and a line longer than MAX_LINE_BYTES is matched
// on its first MAX_LINE_BYTES, the rest of it skipped up to its newline.

import type { ProbeCondition } from '../../../shared/conditions.js';
import { readStream, STREAMS, type StreamName } from '../../output/segments.js';
import type { CheckResult, ProbeCheck, ProbeTarget } from '../check.js';
import { bounded, clip, errorCode, formatTimeout } from './common.js';

type OutputCondition = Extract<ProbeCondition, { kind: 'output' }>;

/** Bytes read from each stream per check at most. */
export const READ_BYTES = 2 * 1024 * 1024;
/** Longest line matched whole; a longer one is matched on this many bytes. */
// 4 KiB, as `logs --grep` matches (shared/log-budget.ts MATCH_CHARS): a pattern that passes the
// shape check can still be quadratic (`\d+x`: ~2.5 s on a 64 KiB line of digits, ~10 ms on 4 KiB),
// and a readiness line says what it says near its start.
export const MAX_LINE_BYTES = 4 * 1024;

/** Where one stream's reading stands between checks. */
export interface LineState {
  /** Global offset of the next byte to read. */
  cursor: number;
  /** The start of a line whose newline has not come yet. */
  partial: Buffer;
  /** True while skipping the rest of an over-long line up to its newline. */
  skipping: boolean;
}

/** What the checks found since the last answer. */
interface Found {
  match: string | null;
  lines: number;
  dropped: number;
}

export const freshLineState = (): LineState => ({ cursor: 0, partial: Buffer.alloc(0), skipping: false });

/**
 * Feeds bytes that follow `state` into it and calls onLine for every line they complete (without
 * its newline or a trailing CR). `skipped` > 0 means the output cap dropped that many bytes
 * before `data`.
 */
export function feedLines(state: LineState, data: Buffer, skipped: number, onLine: (line: Buffer) => void): void {
  if (skipped > 0) {
    // The bytes up to the next newline are the tail of a line whose start was dropped (or, if
    // the gap happened to end at a newline, a whole line: there is no telling). A fragment could
    // match where the whole line would not, so it is skipped either way.
    state.partial = Buffer.alloc(0);
    state.skipping = true;
  }
  let start = 0;
  for (;;) {
    const nl = data.indexOf(0x0a, start);
    if (nl < 0) break;
    if (state.skipping) state.skipping = false;
    else onLine(stripCr(concatBounded(state.partial, data.subarray(start, nl))));
    state.partial = Buffer.alloc(0);
    start = nl + 1;
  }
  if (!state.skipping && start < data.length) {
    const pending = concatBounded(state.partial, data.subarray(start));
    if (state.partial.length + (data.length - start) > MAX_LINE_BYTES) {
      // Over-long: match what we have, then drop the rest of the line.
      onLine(pending);
      state.partial = Buffer.alloc(0);
      state.skipping = true;
    } else state.partial = Buffer.from(pending); // a copy: `data` is not kept alive by a few bytes
  }
  state.cursor += skipped + data.length;
}

function concatBounded(a: Buffer, b: Buffer): Buffer {
  const room = MAX_LINE_BYTES - a.length;
  const tail = b.length > room ? b.subarray(0, Math.max(0, room)) : b;
  return a.length === 0 ? tail : Buffer.concat([a, tail]);
}

const stripCr = (line: Buffer): Buffer => (line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, line.length - 1) : line);

export function createOutputCheck(condition: OutputCondition, target: ProbeTarget): ProbeCheck {
  let regex: RegExp;
  try {
    regex = new RegExp(condition.pattern, condition.flags);
  } catch (err) {
    // The parser rejects these; a condition that reached here another way still only fails its checks.
    const detail = clip(`not a valid regular expression: ${(err as Error).message}`);
    return { run: () => Promise.resolve({ ok: false, detail }), close: () => {} };
  }
  const shown = `/${condition.pattern}/${condition.flags}`;
  const states: Record<StreamName, LineState> = { stdout: freshLineState(), stderr: freshLineState() };
  let found: Found = { match: null, lines: 0, dropped: 0 };
  // One read at a time: a check that timed out may still be reading when the next one starts.
  let reading: Promise<void> = Promise.resolve();
  let closed = false;

  const readOnce = async (): Promise<void> => {
    for (const stream of STREAMS) {
      if (closed) return;
      const state = states[stream];
      const { data, skipped } = await readStream(target.dir, stream, state.cursor, READ_BYTES);
      found.dropped += skipped;
      feedLines(state, data, skipped, (line) => {
        found.lines++;
        if (found.match === null) {
          const text = line.toString('utf8');
          if (regex.test(text)) found.match = text;
        }
      });
    }
  };

  /** Takes what was found since the last answer; a match read by a timed-out check counts now. */
  const answer = (): CheckResult => {
    const f = found;
    found = { match: null, lines: 0, dropped: 0 };
    if (f.match !== null) return { ok: true, detail: clip(f.match) || '(an empty line)' };
    const dropped = f.dropped > 0 ? `; ${f.dropped} bytes dropped by the output cap` : '';
    return { ok: false, detail: clip(`no line matched ${shown} (${f.lines} new line${f.lines === 1 ? '' : 's'}${dropped})`) };
  };

  return {
    async run(timeoutMs: number): Promise<CheckResult> {
      const read = reading.then(readOnce);
      reading = read.catch(() => undefined);
      let late = false; // set on timeout: the answer was given; leave `found` for the next check
      const done = read.then(() => (late ? { ok: false, detail: 'late' } : answer()), (err: unknown) => ({ ok: false, detail: clip(`cannot read the output: ${errorCode(err)}`) }));
      // On timeout the read goes on; what it finds is kept for the next check.
      return bounded(done, timeoutMs, () => {
        late = true;
        return { ok: false, detail: `timed out after ${formatTimeout(timeoutMs)} reading the output` };
      });
    },
    close(): void {
      closed = true;
    },
  };
}
