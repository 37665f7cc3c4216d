// A timeline rebuilt from what a job's record already holds — its runs, current state, flags and
// their history, limit violations, the stop that ended it — for a job recorded before procd kept
// timelines (no timeline.jsonl). Who asked is not in the record, so such entries name no client.

import { hasLiveProcess, isTerminal, wasStopped, type Job } from '../../shared/job.js';
import type { TimelineEntry } from '../../shared/timeline.js';
import { endText, inTimeOrder, violationText } from './timeline-entries.js';

export function timelineFromRecord(job: Job): TimelineEntry[] {
  const current = job.runs?.current ?? 1;
  const out: TimelineEntry[] = [{ at: job.createdAt, run: 1, kind: 'request', detail: 'created (from its record: who asked is not known)' }];
  for (const r of job.runs?.earlier ?? []) {
    if (r.pid !== null) out.push({ at: r.startedAt, run: r.run, kind: 'started', detail: `started, pid ${r.pid}` });
    out.push({ at: r.endedAt, run: r.run, kind: 'ended', detail: endText({ kind: r.state, ...r }) });
  }
  const s = job.state;
  if (hasLiveProcess(s) || (isTerminal(s) && s.pid !== null)) out.push({ at: s.startedAt, run: current, kind: 'started', detail: s.pid !== null ? `started, pid ${s.pid}` : 'started' });
  if (s.kind === 'paused') out.push({ at: s.pausedAt, run: current, kind: 'paused', detail: 'paused' });
  if (wasStopped(s) && s.kill) {
    const byProcd = s.kill.reason !== 'user';
    out.push({ at: s.kill.requestedAt, run: current, kind: 'stopping', detail: `${byProcd ? `stopped by procd: ${s.kill.reason}` : 'stop asked for'}: ${s.kill.signal}`, ...(byProcd ? { by: 'procd' } : {}) });
  }
  if (isTerminal(s)) out.push({ at: s.endedAt, run: current, kind: 'ended', detail: endText(s) });
  for (const f of [...job.flagHistory, ...job.flags]) out.push({ at: f.raisedAt, run: current, kind: 'flag.raised', detail: `flag ${f.kind} raised (${f.severity}): ${f.detail}` });
  for (const f of job.flagHistory) out.push({ at: f.clearedAt, run: current, kind: 'flag.cleared', detail: `flag ${f.kind} cleared` });
  for (const v of job.violations ?? []) out.push({ at: v.at, run: current, kind: 'limit', detail: violationText(v), by: 'procd' });
  return inTimeOrder(out);
}
