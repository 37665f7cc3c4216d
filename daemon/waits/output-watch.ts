// `output=REGEX` for a wait: reads the job's current run's output from where the wait starts —
// the run's beginning, or (with `newOutput`) the streams' ends when the wait began — and reports
// the first line that matches. A new run (a restart) is read from its beginning: all of it is new.
// Reading is bounded as the probe's is (daemon/probes/checks/output.ts, whose line reader it uses).

import type { Condition } from '../../shared/conditions.js';
import type { Job } from '../../shared/job.js';
import { readStream, streamInfo, STREAMS, type StreamName } from '../output/segments.js';
import type { CheckResult } from '../probes/check.js';
import { clip, errorCode } from '../probes/checks/common.js';
import { feedLines, freshLineState, READ_BYTES, type LineState } from '../probes/checks/output.js';

type OutputCondition = Extract<Condition, { kind: 'output' }>;

export interface OutputWatch {
  /** Reads what the job wrote since the last call; ok with the matching line once one matched. */
  check(job: Job): Promise<CheckResult>;
}

/** The streams' ends now: where a `--new` wait starts reading. */
export async function outputEnds(dir: string): Promise<Record<StreamName, number>> {
  const [out, err] = await Promise.all(STREAMS.map((s) => streamInfo(dir, s)));
  return { stdout: out?.end ?? 0, stderr: err?.end ?? 0 };
}

export function createOutputWatch(condition: OutputCondition, start: { dir: string; from: Record<StreamName, number> }): OutputWatch {
  const regex = new RegExp(condition.pattern, condition.flags);
  let dir = start.dir;
  let states = fromCursors(start.from);
  let lines = 0;
  return {
    async check(job: Job): Promise<CheckResult> {
      if (job.dir !== dir) {
        dir = job.dir;
        states = fromCursors({ stdout: 0, stderr: 0 });
      }
      let match: string | null = null;
      try {
        for (const stream of STREAMS) {
          const state = states[stream];
          const { data, skipped } = await readStream(dir, stream, state.cursor, READ_BYTES);
          feedLines(state, data, skipped, (line) => {
            lines++;
            if (match === null) {
              const text = line.toString('utf8');
              if (regex.test(text)) match = text;
            }
          });
          if (match !== null) break;
        }
      } catch (err) {
        return { ok: false, detail: clip(`cannot read the output: ${errorCode(err)}`) };
      }
      if (match !== null) return { ok: true, detail: clip(match) || '(an empty line)' };
      return { ok: false, detail: `no line matched /${condition.pattern}/${condition.flags} (${lines} line${lines === 1 ? '' : 's'} read)` };
    },
  };
}

function fromCursors(from: Record<StreamName, number>): Record<StreamName, LineState> {
  return { stdout: { ...freshLineState(), cursor: from.stdout }, stderr: { ...freshLineState(), cursor: from.stderr } };
}
