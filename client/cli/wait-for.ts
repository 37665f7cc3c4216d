// `procd wait --for CONDITION` and `track --wait-for`: the condition text goes to the daemon as
// typed (it parses and checks it: the CLI loads no parser), the daemon checks and answers; this
// prints one line saying what happened, then the last lines of each job, and picks the exit code:
// 0 the condition held, 124 the timeout passed, 125 a job ended before it could.

import { formatDuration } from '../../shared/duration.js';
import type { JobRef, ParamsIn, WaitResult } from '../../shared/methods.js';
import { callWithReconnect } from '../reconnect.js';
import type { CommandContext } from './command.js';
import { EXIT } from './exit-codes.js';
import { jobEndLine } from './job-end-line.js';

const INTERRUPTED = 130;

export interface ConditionWaitOptions {
  /** Jobs as given; names are resolved to ids once. Empty: a wait about the world (port-free=…). */
  refs: readonly JobRef[];
  conditions: readonly string[];
  all: boolean;
  newOutput: boolean;
  /** undefined: the daemon's default (5 min); null: none. */
  timeoutMs: number | null | undefined;
  env: boolean;
  /** Says who is waiting in messages (`procd wait`, `procd track`). */
  who: string;
}

export async function runConditionWait(ctx: CommandContext, o: ConditionWaitOptions): Promise<number> {
  const onInterrupt = () => {
    const given = o.refs.join(' ');
    process.stderr.write(`\n${o.who}: stopped waiting${given ? `; ${o.refs.length === 1 ? `job ${given} keeps` : `jobs ${given} keep`} running (procd kill ${given} to stop)` : ''}\n`);
    process.exit(INTERRUPTED);
  };
  process.once('SIGINT', onInterrupt);
  let r: WaitResult;
  try {
    const jobs = await callWithReconnect(ctx, (c) => Promise.all(o.refs.map(async (ref) => (typeof ref === 'number' ? ref : (await c.status({ job: ref })).id))));
    // Across a daemon restart the wait is asked again, for what is left of --timeout.
    const deadline = typeof o.timeoutMs === 'number' ? Date.now() + o.timeoutMs : null;
    const params = (): ParamsIn<'wait'> => ({
      ...(jobs.length ? { jobs } : {}),
      for: [...o.conditions],
      ...(o.all ? { all: true } : {}),
      ...(o.newOutput ? { newOutput: true } : {}),
      ...(o.env ? { env: true } : {}),
      ...(deadline !== null ? { timeoutMs: Math.max(0, deadline - Date.now()) } : o.timeoutMs === null ? { timeoutMs: null } : {}),
    });
    r = await callWithReconnect(ctx, (c) => c.wait(params()));
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  if (ctx.out.json) ctx.out.printJson(r);
  else for (const line of describeConditionWait(r, o.who)) ctx.out.out(line);
  return conditionWaitExitCode(r);
}

export function conditionWaitExitCode(r: WaitResult): number {
  const outcome = r.for?.outcome;
  if (outcome === 'met') return EXIT.ok;
  if (outcome === 'ended') return EXIT.waitEndedFirst;
  return EXIT.waitTimedOut;
}

/** One line saying what happened, then each job's last lines: a pure function of the answer. */
export function describeConditionWait(r: WaitResult, who: string): string[] {
  const f = r.for;
  if (!f) return [`${who}: the daemon answered without the conditions' outcome (an older daemon?)`];
  const wanted = f.conditions.join(f.all ? ' and ' : ' or ');
  const jobText = (id: number | null, name: string | null) => (id === null ? '' : ` for job ${id} (${name ?? '?'})`);
  let head: string;
  if (f.outcome === 'met') {
    const what = f.fired.map((x) => `${x.condition}${jobText(x.job, x.name)}: ${x.detail}`).join('; ');
    // A condition about the world (http=, port-free=) names no job: say which jobs were waited with (track's new job).
    const jobs = f.fired.every((x) => x.job === null) && r.jobs.length ? ` (${r.jobs.map((j) => `job ${j.id} (${j.name}) ${j.state.kind}`).join(', ')})` : '';
    head = `${who}: ${what || wanted}${jobs} (after ${formatDuration(f.waitedMs)})`;
  } else if (f.outcome === 'ended' && f.ended) {
    const view = r.jobs.find((j) => j.id === f.ended?.job);
    const ended = (view && jobEndLine(view)) ?? `job ${f.ended.job} (${f.ended.name}) ${f.ended.state}`;
    head = `${who}: ${ended} before ${wanted} held`;
  } else {
    const states = r.jobs.map((j) => `job ${j.id} (${j.name}) ${j.state.kind}`).join(', ');
    head = `${who}: timed out after ${formatDuration(f.waitedMs)} waiting for ${wanted}${states ? ` (${states})` : ''}`;
  }
  const lines = [head];
  for (const t of f.tails) {
    if (t.lines.length === 0) continue;
    lines.push(`--- job ${t.job} (${t.name}), last ${t.lines.length} line${t.lines.length === 1 ? '' : 's'}${t.truncated ? ' (cut)' : ''}:`);
    for (const l of t.lines) lines.push(`  ${l}`);
  }
  return lines;
}
