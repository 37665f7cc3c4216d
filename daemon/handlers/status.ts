import { viewOf, type Job } from '../../shared/job.js';
import type { TimelineEntry } from '../../shared/timeline.js';
import { timelineFromRecord } from '../timeline/timeline-from-record.js';
import type { JobStatus, ParamsOf, ProcessNode } from '../../shared/methods.js';
import { readCmdline } from '../proc/process-table.js';
import type { DaemonContext } from './context.js';

/** The job's timeline; for a job recorded before timelines were kept, what its record says. */
function timelineOf(ctx: DaemonContext, job: Job): TimelineEntry[] {
  const kept = ctx.timelines.read(job.id);
  return kept.length ? kept : timelineFromRecord(job);
}

/** status: one job with fresh output figures; with `tree`, its live process tree; with `env`, its environment's values; with `timeline`, what happened to it. */
export async function status(ctx: DaemonContext, params: ParamsOf<'status'>): Promise<JobStatus> {
  const ref = ctx.table.resolve(params.job);
  // Progress markers written since the last monitor tick count now.
  await ctx.progress.scan(ref.id);
  const job = (await ctx.supervisor.refreshOutput(ref.id)) ?? ref;
  // What its command usually takes (a learned baseline): "usually 42 s (p90 51 s)", and its ETA.
  // (The tracker asks the history's baselines, daemon.ts: one lookup for the ETA and the figure.)
  const baseline = ctx.progress.baselineOf(job);
  const view = { ...viewOf(job, params.env, Date.now(), baseline), ...(baseline ? { baseline } : {}), ...(params.timeline ? { timeline: timelineOf(ctx, job) } : {}) };
  if (!params.tree) return view;
  const procs = await ctx.monitor.treeOf(job);
  const tree: ProcessNode[] = await Promise.all(
    procs.map(async (p) => {
      const argv = await readCmdline(p.pid);
      return { pid: p.pid, ppid: p.ppid, state: p.state, cpuPercent: p.cpuPercent, rssBytes: p.rssBytes, threads: p.threads, command: argv?.length ? argv.join(' ') : `[${p.comm}]`, cgroupOnly: p.cgroupOnly };
    }),
  );
  return { ...view, tree };
}
