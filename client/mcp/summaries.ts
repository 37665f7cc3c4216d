// The short text beside each tool's structured answer: one line per job, in words an agent can act
// on (its id for the next call, its state, how it ended). Pure functions.

import { commandText, isTerminal, type JobState } from '../../shared/job.js';
import type { ResultOf } from '../../shared/methods.js';
import { escapeControls } from '../../shared/escape-controls.js';

/** What every job answer carries that the summary reads. */
export interface JobLike {
  id: number;
  name: string;
  state: JobState;
  spec: { command: Parameters<typeof commandText>[0] };
  probes?: { ready: { at: number; tookMs: number } | null } | undefined;
}

export function stateText(state: JobState): string {
  if (!isTerminal(state)) {
    const pid = 'pid' in state && typeof state.pid === 'number' ? ` (pid ${state.pid})` : '';
    return `${state.kind}${pid}`;
  }
  const how = state.signal ? `signal ${state.signal.name}` : state.exitCode !== null ? `exit code ${state.exitCode}` : 'no exit code';
  return `${state.kind} (${state.outcome}, ${how})`;
}

/** `job 3 "web": running (pid 4120), ready — npm run dev` */
export function jobLine(job: JobLike): string {
  const ready = job.probes?.ready ? ', ready' : '';
  return `job ${job.id} "${escapeControls(job.name)}": ${stateText(job.state)}${ready} — ${clip(escapeControls(commandText(job.spec.command)), 120)}`;
}

export function jobsText(jobs: readonly JobLike[], none: string): string {
  return jobs.length ? jobs.map(jobLine).join('\n') : none;
}

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

type KillItem = ResultOf<'kill'>[number];

/** One line per job given to kill or restart: done, or why not. */
export function refItemsText(items: readonly KillItem[] | ResultOf<'restart'>, verb: string): string {
  return items
    .map((item) => (item.ok ? `job ${item.id}: ${verb}` : `${JSON.stringify(item.ref)}: not ${verb} — ${item.error.message}`))
    .join('\n');
}

export function waitText(r: ResultOf<'wait'>): string {
  const jobs = jobsText(r.jobs, '');
  const f = r.for;
  if (!f) return `${r.timedOut ? 'timed out; the jobs keep running' : 'the jobs ended'}${jobs ? `\n${jobs}` : ''}`;
  const head =
    f.outcome === 'met'
      ? `condition met: ${f.fired.map((x) => `${x.condition}${x.name ? ` (${escapeControls(x.name)})` : ''}: ${escapeControls(x.detail)}`).join('; ')}`
      : f.outcome === 'ended'
        ? `job ${f.ended?.job} "${escapeControls(f.ended?.name ?? '')}" ended first: ${f.ended?.state}, exit code ${f.ended?.exitCode ?? 'none'}${f.ended?.signal ? `, signal ${f.ended.signal}` : ''}`
        : `timed out after ${f.waitedMs} ms waiting for ${f.conditions.join(f.all ? ' and ' : ' or ')}; the jobs keep running — call wait again to keep waiting`;
  const tails = f.outcome === 'met' ? [] : f.tails.filter((t) => t.lines.length).map((t) => `last lines of job ${t.job}:\n${t.lines.join('\n')}`);
  return [head, jobs, ...tails].filter((s) => s !== '').join('\n');
}

/** The headline counts, then each recommendation with the command that acts on it. */
export function analyzeText(r: ResultOf<'analyze'>): string {
  const h = r.headline;
  const counts = `${h.liveJobs} live job(s), ${h.runs} run(s), ${h.failures} failure(s); stuck ${h.stuck}, time sinks ${h.timeSinks}, bottlenecks ${h.bottlenecks}, duplicates ${h.duplicates}, port conflicts ${h.portConflicts}, leftovers ${h.leftovers}, zombies ${h.zombies}`;
  const recs = r.recommendations.map((x) => `[${x.priority}] ${x.reason} → ${x.command}`);
  return [counts, ...(recs.length ? recs : ['no recommendations'])].join('\n');
}

/** status: the job's line, then what an agent checks next — resources now, flags with their detail, restarts, last output. */
export function statusText(job: ResultOf<'status'>): string {
  const lines = [jobLine(job)];
  const last = job.resources?.last;
  if (last) lines.push(`now: ${last.processes} process(es), ${last.cpuPercent === null ? '?' : last.cpuPercent.toFixed(0)}% CPU, ${(last.rssBytes / 2 ** 20).toFixed(0)} MiB RSS`);
  for (const f of job.flags) lines.push(`flag ${f.kind} (${f.severity}): ${f.detail}`);
  if (job.runs && job.runs.current > 1) lines.push(`run ${job.runs.current} (${job.runs.restarts} restart(s))`);
  const out = job.output.stdoutBytes + job.output.stderrBytes;
  lines.push(`output: ${out} bytes${job.output.lastOutputAt !== null ? `, last at ${new Date(job.output.lastOutputAt).toISOString()}` : ''} (logs reads it)`);
  return lines.join('\n');
}

/** cleanup's answer: the live jobs it stopped (with `owner`) first — what an agent most needs to hear. */
export function cleanupText(r: ResultOf<'cleanup'>): string {
  const verb = r.dryRun ? 'would stop' : 'stopped';
  const dry = r.wouldStop === undefined ? '' : r.wouldStop.length ? `would stop live jobs: ${r.wouldStop.map((j) => `job ${j.id} ${j.name} (${j.state})`).join(', ')}; ` : 'no live job of that owner; ';
  const jobs = r.stopped === undefined ? dry : r.stopped.length ? `live jobs: ${refItemsText(r.stopped, 'stopped').replaceAll('\n', ', ')}; ` : 'no live job of that owner; ';
  return `${jobs}${verb} ${r.leftovers.pids.length} leftover process(es) of ${r.leftovers.jobs.length} job(s); ${r.zombies.length} zombie(s); ${r.pruned.length} record(s) pruned`;
}
