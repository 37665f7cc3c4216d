// How ls and status show a job's figures: finished jobs' figures are the last reading (not "now"),
// a missing CPU reading is "-" (not 0%), and an adopted job says so instead of "shim pid null".

import { describe, expect, it } from 'vitest';
import { printJob } from '../../../client/cli/commands/status.js';
import { cpuText, stateText } from '../../../client/cli/format-job.js';
import type { Output } from '../../../client/cli/output.js';
import { viewOf, type Job, type JobState, type ResourceStats } from '../../../shared/job.js';
import { completedState, makeJob, runningState, T0 } from '../../helpers/job-factory.js';

function job(state: JobState, resources: ResourceStats | null, adopted = false): Job {
  return makeJob({
    name: 'j',
    spec: { command: adopted ? { kind: 'adopted', argv: ['server'] } : { kind: 'argv', argv: ['sleep', '1'] }, stuckAfterMs: 60_000, maxOutputBytes: 1 << 20 },
    state,
    resources,
    dir: '/tmp/j',
  });
}

const running = (shimPid: number | null): JobState => runningState({ shimPid });
const completed: JobState = completedState();

function stats(cpuSamples: number, lastCpu: number | null): ResourceStats {
  return {
    samples: 2,
    cpuSamples,
    cpuPeak: cpuSamples ? 40 : 0,
    cpuAvg: cpuSamples ? 25 : 0,
    rssPeak: 2 << 20,
    rssAvg: 1 << 20,
    processesPeak: 1,
    last: { at: T0 + 900, cpuPercent: lastCpu, rssBytes: 1 << 20, mainRssBytes: 1 << 20, processes: 1, threads: 1, fds: 3, states: { S: 1 } },
  };
}

/** printJob's text, as lines keyed by their label. */
function printed(j: Job): Map<string, string> {
  let text = '';
  const out: Output = { json: false, color: false, width: 160, out: (t) => void (text += `${t}\n`), err: () => undefined, printJson: () => undefined };
  printJob(out, viewOf(j), false);
  return new Map(text.split('\n').filter(Boolean).map((l) => {
    const m = /^(\S+(?: \S+)*?)\s{2,}(.*)$/.exec(l);
    return [m?.[1] ?? l, m?.[2] ?? ''] as [string, string];
  }));
}

describe('job display', () => {
  it('ls shows "-" for a finished job with no CPU reading, and its average when there is one', () => {
    expect(cpuText(job(completed, stats(0, null)))).toBe('-');
    expect(cpuText(job(completed, stats(1, 25)))).toBe('25%');
    expect(cpuText(job(running(5), stats(0, null)))).toBe('-');
    expect(cpuText(job(running(5), stats(1, 12)))).toBe('12%');
  });

  it('status labels a finished job’s figures as the last reading, not now', () => {
    const rows = printed(job(completed, stats(1, 25)));
    expect(rows.get('cpu')).toBe('25.0% at the last reading, peak 40.0%, avg 25.0% (of one core, whole tree)');
    expect(rows.get('memory')).toMatch(/^1\.0MiB at the last reading /);
    expect(rows.get('processes')).toMatch(/^1 \(1S\) at the last reading, /);
    expect([...rows.values()].join('\n')).not.toMatch(/\bnow\b/);
    expect(printed(job(running(5), stats(1, 25))).get('cpu')).toMatch(/^25\.0% now, /);
  });

  it('status shows the CPU time the tree used in the run, where the daemon measured it', () => {
    const j = job(running(5), stats(1, 25));
    const withTime: Job = { ...j, resources: { ...j.resources!, last: { ...j.resources!.last!, cpuTimeMs: 12_400 } } };
    expect(printed(withTime).get('cpu')).toBe('25.0% now, peak 40.0%, avg 25.0% (of one core, whole tree); 12s of CPU time in this run');
  });

  it('status shows unknown peak and average, not 0%, without a CPU reading', () => {
    expect(printed(job(completed, stats(0, null))).get('cpu')).toBe('- at the last reading, peak -, avg - (of one core, whole tree)');
  });

  it('status says an adopted job has no shim instead of "shim pid null"', () => {
    expect(printed(job(running(null), null, true)).get('shim pid')).toBe('none (adopted: procd did not start it)');
    expect(printed(job(running(4242), null)).get('shim pid')).toBe('4242');
  });

  it('ls shows a stop under way: stopping, or timing-out for a --timeout', () => {
    const kill = { requestedAt: T0, signal: 'SIGTERM', graceMs: 5000, signalled: [], forced: [] };
    expect(stateText(job(running(5), null))).toBe('running');
    expect(stateText({ ...job(running(5), null), pendingKill: { ...kill, reason: 'user' } })).toBe('stopping');
    expect(stateText({ ...job(running(5), null), pendingKill: { ...kill, reason: 'timeout' } })).toBe('timing-out');
  });
});
