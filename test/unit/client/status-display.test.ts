// `procd status` in words: one exit line (not three), singulars for one, and local times with
// their age. A fixed "now" keeps the ages exact; local times are compared with the machine's zone.

import { describe, expect, it } from 'vitest';
import { exitLine, printJob } from '../../../client/cli/commands/status.js';
import { localTime } from '../../../client/cli/format-time.js';
import type { Output } from '../../../client/cli/output.js';
import { viewOf, type Job, type ResourceStats } from '../../../shared/job.js';
import { completedState, failedState, killedState, killRecord, lostState, makeJob, spawnFailedState, T0 } from '../../helpers/job-factory.js';

const ENDED = T0 + 1000;
const NOW = ENDED + 3 * 60_000;

function printedText(j: Job): string {
  let text = '';
  const out: Output = { json: false, color: false, width: 160, out: (t) => void (text += `${t}\n`), err: () => undefined, printJson: () => undefined };
  printJob(out, viewOf(j), false, NOW);
  return text;
}

function rows(j: Job): Map<string, string> {
  return new Map(printedText(j).split('\n').filter(Boolean).map((l) => {
    const m = /^(\S+(?: \S+)*?)\s{2,}(.*)$/.exec(l);
    return [m?.[1] ?? l, m?.[2] ?? ''] as [string, string];
  }));
}

const one: ResourceStats = {
  samples: 2,
  cpuSamples: 1,
  cpuPeak: 1,
  cpuAvg: 1,
  rssPeak: 1 << 20,
  rssAvg: 1 << 20,
  processesPeak: 1,
  last: { at: T0 + 900, cpuPercent: 1, rssBytes: 1 << 20, mainRssBytes: 1 << 20, processes: 1, threads: 1, fds: 1, states: { S: 1 } },
};

describe('status display', () => {
  it('says how a SIGKILLed job ended once, not as exit code, signal and exit', () => {
    const job = makeJob({ state: killedState({ exitCode: 137, signal: { name: 'SIGKILL', number: 9 }, kill: killRecord({ signal: 'SIGKILL' }) }) });
    const r = rows(job);
    expect(r.get('exit')).toBe('SIGKILL (signal 9), status 137');
    expect(r.has('exit code')).toBe(false);
    expect(r.has('signal')).toBe(false);
    expect(printedText(job).match(/137/g)).toHaveLength(1);
  });

  it('has one exit line for every way a job ends', () => {
    expect(exitLine(completedState())).toBe('code 0');
    expect(exitLine(failedState({ exitCode: 3 }))).toBe('code 3');
    expect(exitLine(spawnFailedState())).toBe('none: it could not start (ENOENT)');
    expect(exitLine(killedState({ outcome: 'cancelled', exitCode: null, signal: null, kill: null }))).toBe('none: stopped before it started');
    expect(exitLine(lostState())).toBe('unknown: procd could not learn it');
  });

  it('uses singulars for one thread, one process, one fd and one variable', () => {
    const r = rows(makeJob({ state: completedState(), resources: one, spec: { env: { A: '1' } } }));
    expect(r.get('processes')).toBe('1 (1S) at the last reading, 1 thread, 1 fd, peak 1 process');
    expect(r.get('environment')).toBe('1 variable (--env to show)');
  });

  it('shows local times with their age, not UTC without one', () => {
    const r = rows(makeJob({ state: completedState(), output: { lastOutputAt: ENDED - 500 } }));
    expect(r.get('ended')).toBe(`${localTime(ENDED)} (3m ago)`);
    expect(r.get('started')).toBe(`${localTime(T0)} (3m ago)`);
    expect(r.get('last output')).toBe(`${localTime(ENDED - 500)} (3m ago)`);
    expect(printedText(makeJob({ state: completedState() }))).not.toMatch(/\d\dZ\b/);
  });
});
