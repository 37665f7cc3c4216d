// How services, tasks and per-job stops show: ls gets a KIND column (svc / task) once a service is
// listed; status says the kind and how the job is stopped; the client's call timeouts allow a
// job's own grace; `--grace` beyond the limit is refused with the limit in words.

import { describe, expect, it } from 'vitest';
import { printJob } from '../../../client/cli/commands/status.js';
import { renderLs, type LsLayout } from '../../../client/cli/ls-table.js';
import type { Output } from '../../../client/cli/output.js';
import { durationOption } from '../../../client/cli/parse.js';
import { extendedTimeout } from '../../../client/session.js';
import { LIMITS } from '../../../shared/methods.js';
import { summarize, viewOf, type Job } from '../../../shared/job.js';
import { makeJob, runningState, T0 } from '../../helpers/job-factory.js';

const NOW = T0 + 60_000;
const layout: LsLayout = { now: NOW, width: 120, tty: false, hiddenFinished: 0, paint: (_c, t) => t };
const service = makeJob({ id: 1, name: 'web', spec: { kind: 'service', stopSignal: 'SIGINT', stopGraceMs: 10_000, command: { kind: 'argv', argv: ['node', 'server.js'] } }, state: runningState({ startedAt: T0 }) });
const task = makeJob({ id: 2, name: 'build', spec: { command: { kind: 'argv', argv: ['make'] } }, state: runningState({ startedAt: T0, pid: 101 }) });

function statusText(j: Job): string {
  let text = '';
  const out: Output = { json: false, color: false, width: 160, out: (t) => void (text += `${t}\n`), err: () => undefined, printJson: () => undefined };
  printJob(out, viewOf(j), false, NOW);
  return text;
}

describe('ls: which job is a service', () => {
  it('shows a KIND column, svc or task, when a service is listed', () => {
    const [header, web, build] = renderLs([service, task].map(summarize), layout);
    expect(header).toMatch(/^ID\s+NAME\s+STATE\s+PID\s+TIME\s+EXIT\s+CPU\s+MEM\s+KIND\s+COMMAND$/);
    expect(web).toMatch(/ svc +node server\.js$/);
    expect(build).toMatch(/ task +make$/);
  });

  it('leaves the column out when every job is a task (the default)', () => {
    expect(renderLs([summarize(task)], layout)[0]).not.toMatch(/KIND/);
  });
});

describe('status: kind and stop', () => {
  it('says a service is one and how it is stopped', () => {
    const text = statusText(service);
    expect(text).toMatch(/^kind +service \(meant to stay up/m);
    expect(text).toMatch(/^stop with +SIGINT, then SIGKILL after grace 10s$/m);
  });

  it("says a task is one, stopped with SIGTERM and the daemon's grace", () => {
    const text = statusText(task);
    expect(text).toMatch(/^kind +task \(runs to an end\)$/m);
    expect(text).toMatch(/^stop with +SIGTERM, then SIGKILL after the daemon's grace$/m);
  });
});

describe("call timeouts allow a job's own grace", () => {
  it('kill without a grace waits up to the longest job grace; with one, that grace', () => {
    expect(extendedTimeout('kill', { jobs: [1] }, 30_000)).toBe(30_000 + LIMITS.stopGraceMs + 60_000);
    expect(extendedTimeout('kill', { jobs: [1], graceMs: 1000 }, 30_000)).toBe(30_000 + 1000 + 60_000);
  });

  it('track (--replace), rm (--force) and daemon.stop allow the longest job grace', () => {
    for (const method of ['track', 'rm', 'daemon.stop'] as const) expect(extendedTimeout(method, {}, 30_000)).toBe(30_000 + LIMITS.stopGraceMs + 60_000);
  });
});

describe('--grace on track', () => {
  it('is refused beyond 5m, said in minutes', () => {
    expect(() => durationOption('grace', '10m', { max: LIMITS.stopGraceMs })).toThrow('--grace: "10m" is too long: at most 5m');
    expect(durationOption('grace', '1s', { max: LIMITS.stopGraceMs })).toBe(1000);
  });
});
