// What a finished run leaves in the history: the record built from the job as its run ended, and
// the job table announcing every run end exactly once (a restart's too), which the recorder hears.

import { describe, expect, it } from 'vitest';
import { JobTable, type RunEnded } from '../../../daemon/jobs/job-table.js';
import { afterRunEnd } from '../../../daemon/jobs/run-end.js';
import { endedWithoutRun, historyRunOf } from '../../../daemon/history/record-run.js';
import { tailLines } from '../../../daemon/history/stderr-tail.js';
import { STDERR_TAIL_CHARS, STDERR_TAIL_LINES } from '../../../shared/history.js';
import { defaultRestartSpec } from '../../../shared/restart.js';
import type { Job, JobId } from '../../../shared/job.js';
import { failedState, killedState, makeJob, runningState, T0 } from '../../helpers/job-factory.js';
import { memoryStore } from '../../helpers/stand-ins.js';

describe('historyRunOf', () => {
  it('takes the signature, times, outcome, resources, flags and violations of this run only, and the readiness time', () => {
    const job = makeJob({
      id: 4,
      name: 'api',
      tags: ['web'],
      spec: { command: { kind: 'argv', argv: ['node', 'server.js'] }, cwd: '/srv', group: 'gpu' },
      resources: { samples: 3, cpuSamples: 2, cpuPeak: 90, cpuAvg: 40, rssPeak: 3000, rssAvg: 2000, processesPeak: 2, last: null },
      flags: [{ kind: 'stuck', raisedAt: T0 + 50, detail: '', severity: 'medium', pids: [], data: {} }],
      flagHistory: [
        { kind: 'bottleneck', raisedAt: T0 - 5000, clearedAt: T0 - 4000, detail: '', severity: 'medium', pids: [], data: {} },
        { kind: 'zombie', raisedAt: T0 + 10, clearedAt: T0 + 20, detail: '', severity: 'medium', pids: [], data: {} },
      ],
      violations: [
        { limit: 'cpu', value: 1, max: 1, at: T0 - 1, action: 'warn' },
        { limit: 'memory', value: 1, max: 1, at: T0 + 5, action: 'warn' },
      ],
      probes: { ready: { at: T0 + 300, tookMs: 300 }, unhealthySince: null },
      runs: { current: 3, restarts: 2, earlier: [], history: { restartTimes: [], quickFailures: 0 } },
    });
    const ended = failedState({ exitCode: 2, startedAt: T0, endedAt: T0 + 1000, durationMs: 1000 });
    const run = historyRunOf(job, ended, ended, ['boom']);
    expect(run).toMatchObject({
      jobId: 4,
      run: 3,
      restarts: 2,
      name: 'api',
      tags: ['web'],
      group: 'gpu',
      signature: '["node","server.js"]@/srv',
      command: 'node server.js',
      state: 'failed',
      outcome: 'exit',
      exitCode: 2,
      signal: null,
      durationMs: 1000,
      cpuPeak: 90,
      cpuAvg: 40,
      rssPeak: 3000,
      readyAfterMs: 300,
      stderrTail: ['boom'],
      violations: ['memory'],
    });
    expect(run.flags.sort()).toEqual(['stuck', 'zombie']);
  });

  it('says what the job became when the policy gave up, and knows the runs that never ran', () => {
    const job = makeJob({ resources: null });
    const ended = failedState({ exitCode: 1 });
    const gaveUp = { ...ended, outcome: 'restarts_exhausted' as const, outcomeDetail: '10 restarts in 10m' };
    expect(historyRunOf(job, ended, gaveUp, [])).toMatchObject({ state: 'failed', outcome: 'restarts_exhausted', exitCode: 1, cpuPeak: null, rssPeak: null });
    expect(historyRunOf(job, killedState({ signal: { name: 'SIGTERM', number: 15 }, exitCode: 143 }), runningState(), []).signal).toBe('SIGTERM');
    expect(endedWithoutRun(killedState({ outcome: 'cancelled' }))).toBe(true);
    expect(endedWithoutRun(failedState())).toBe(false);
  });
});

describe('JobTable runEnded', () => {
  it('is emitted once per run end, with the job as it ended, also when the policy queues its next run', () => {
    const running = makeJob({ id: 1, dir: '/h/1', state: runningState({ startedAt: T0, pid: 10 }), spec: { restart: defaultRestartSpec('always') } });
    const table = new JobTable(memoryStore, { jobs: new Map<JobId, Job>([[1, running]]), nextId: 2 });
    table.runEndPolicy = (job, ended) => afterRunEnd(job, ended, T0 + 1000, () => 0.5);
    const seen: RunEnded[] = [];
    table.on('runEnded', (e) => seen.push(e));
    table.apply(1, { type: 'exited', at: T0 + 1000, exitCode: 3, signal: null, kill: null, forced: false });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.job.dir).toBe('/h/1'); // the ended run's own directory, not the next run's
    expect(seen[0]!.ended).toMatchObject({ kind: 'failed', exitCode: 3 });
    expect(seen[0]!.final.kind).toBe('queued');
    // a refused event or a kill record after the end is no new run end
    table.apply(1, { type: 'exited', at: T0 + 2000, exitCode: 0, signal: null, kill: null, forced: false });
    expect(seen).toHaveLength(1);
  });
});

describe('tailLines', () => {
  it('keeps the last non-blank lines without colour codes or carriage returns, dropping a cut first line', () => {
    const text = 'partial end of a line\nfirst\n\x1b[31mError: boom\x1b[0m\r\n\n  at x\n';
    expect(tailLines(text, true)).toEqual(['first', 'Error: boom', '  at x']);
    expect(tailLines(text, false)[0]).toBe('partial end of a line');
    const many = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    expect(tailLines(many, false)).toEqual(Array.from({ length: STDERR_TAIL_LINES }, (_, i) => `line ${20 - STDERR_TAIL_LINES + i}`));
  });
  it('stays within STDERR_TAIL_CHARS, long lines cut at their end', () => {
    const long = Array.from({ length: 5 }, (_, i) => `${i}`.repeat(2000)).join('\n');
    const tail = tailLines(long, false);
    expect(tail.reduce((n, l) => n + l.length, 0)).toBeLessThanOrEqual(STDERR_TAIL_CHARS);
    expect(tail[tail.length - 1]!.startsWith('4444')).toBe(true);
    expect(tail[tail.length - 1]!.endsWith('…')).toBe(true);
  });
});
