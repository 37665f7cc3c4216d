import { describe, expect, it } from 'vitest';
import { entriesOfCall, entryOfEvent } from '../../../daemon/timeline/timeline-entries.js';
import type { AuditRecord } from '../../../shared/audit.js';
import type { NewEvent, ProcdEvent } from '../../../shared/events.js';
import type { JobFlag } from '../../../shared/job.js';
import { killedState, killRecord, pausedState, queuedState, runningState } from '../../helpers/job-factory.js';

const job = { id: 7, name: 'web', tags: [], state: 'running' as const };
const flag: JobFlag = { kind: 'stuck', raisedAt: 1000, detail: 'no output for 61s', severity: 'medium', pids: [], data: {} };
const at = 5000;
const entry = (event: NewEvent) => entryOfEvent({ seq: 1, at, ...event } as ProcdEvent, 2);

describe('timeline entries from events', () => {
  it('turns each lifecycle event of a job into one entry with its time and run', () => {
    expect(entry({ kind: 'job.started', job, pid: 41 })).toEqual({ job: 7, entry: { at, run: 2, kind: 'started', detail: 'started, pid 41' } });
    expect(entry({ kind: 'job.ready', job, run: 2, tookMs: 1500, detail: 'output matched' })?.entry).toMatchObject({ kind: 'ready', detail: 'ready after 1.5s: output matched' });
    expect(entry({ kind: 'flag.raised', job, flag })?.entry).toMatchObject({ kind: 'flag.raised', detail: 'flag stuck raised (medium): no output for 61s' });
    expect(entry({ kind: 'flag.changed', job, flag: { ...flag, severity: 'high' }, from: 'medium' })?.entry.kind).toBe('flag.changed');
    expect(entry({ kind: 'flag.cleared', job, flag: { ...flag, clearedAt: 4000 } })?.entry).toMatchObject({ kind: 'flag.cleared', detail: 'flag stuck cleared after 3.0s' });
    expect(entry({ kind: 'limit.exceeded', job, violation: { limit: 'memory', value: 600 << 20, max: 512 << 20, at, action: 'kill' } })?.entry).toMatchObject({
      kind: 'limit',
      detail: 'over its memory limit: 600MiB > 512MiB (kill)',
      by: 'procd',
    });
    expect(entry({ kind: 'leftover.found', job, pids: [5, 6] })?.entry.kind).toBe('leftovers');
    const ports = [{ port: 3000, protocol: 'tcp' as const, address: '127.0.0.1', pid: 41 }, { port: 5353, protocol: 'udp' as const, address: '0.0.0.0', pid: 42 }];
    expect(entry({ kind: 'job.listening', job, ports })?.entry).toMatchObject({ kind: 'listening', detail: 'listening: 3000/tcp on 127.0.0.1 (pid 41), 5353/udp on 0.0.0.0 (pid 42)' });
    const progress = { percent: 40, done: 40, total: null, phase: 'fetch', source: 'cli' as const, updatedAt: at, activeMs: 1000, advancedActiveMs: 1000, first: { percent: 10, activeMs: 0 }, reports: 2, milestone: { decile: 4, phase: 'fetch' } };
    expect(entry({ kind: 'job.progress', job, progress, eta: null })?.entry).toMatchObject({ kind: 'progress', detail: 'progress 40% (fetch)' });
    expect(entry({ kind: 'alert', job, alert: { rule: 'flag', severity: 'warning', summary: 'web (job 7): flagged stuck', data: {} } })?.entry).toMatchObject({
      kind: 'alert',
      detail: 'alert flag (warning): web (job 7): flagged stuck',
      by: 'procd',
    });
  });

  it('says who stopped a job: a client (its request entry names it) or procd itself, and why', () => {
    expect(entry({ kind: 'job.stopping', job, kill: killRecord() })?.entry).toEqual({ at, run: 2, kind: 'stopping', detail: 'stop asked for: SIGTERM, then SIGKILL after 5.0s' });
    expect(entry({ kind: 'job.stopping', job, kill: killRecord({ reason: 'timeout' }) })?.entry).toMatchObject({ detail: 'stopped by procd: timeout: SIGTERM, then SIGKILL after 5.0s', by: 'procd' });
    expect(entry({ kind: 'job.stopping', job, kill: killRecord({ reason: 'limit', limit: 'memory', signal: 'SIGKILL' }) })?.entry).toMatchObject({ detail: expect.stringMatching(/^stopped by procd: memory limit: SIGKILL/), by: 'procd' });
    expect(entry({ kind: 'job.stopping', job, kill: killRecord({ reason: 'liveness' }) })?.entry.by).toBe('procd');
  });

  it('keeps the state changes that matter (pause, resume, a scheduled restart, the end) and skips the rest', () => {
    const paused = pausedState({ pausedBy: 'freezer' });
    expect(entry({ kind: 'job.state', job, from: 'running', to: 'paused', state: paused })?.entry).toMatchObject({ kind: 'paused', detail: 'paused (cgroup frozen)' });
    expect(entry({ kind: 'job.state', job, from: 'paused', to: 'running', state: runningState() })?.entry).toMatchObject({ kind: 'resumed' });
    expect(entry({ kind: 'job.state', job, from: 'starting', to: 'running', state: runningState() })).toBeNull();
    const restart = queuedState({ reason: { kind: 'restart', at: 9000, detail: 'on-failure: it failed', delayMs: 2000, run: 3 } });
    expect(entry({ kind: 'job.state', job, from: 'failed', to: 'queued', state: restart })?.entry).toMatchObject({ kind: 'restart', detail: 'run 3 scheduled in 2.0s: on-failure: it failed' });
    expect(entry({ kind: 'job.state', job, from: 'running', to: 'killed', state: killedState({ durationMs: 3400 }) })?.entry).toMatchObject({
      kind: 'ended',
      detail: 'killed by SIGTERM after 3.4s (outcome signal)',
    });
    expect(entryOfEvent({ seq: 1, at, kind: 'daemon.shutdown', keepJobs: false }, 1)).toBeNull();
  });
});

describe('timeline entries from calls', () => {
  const record = (over: Partial<AuditRecord>): AuditRecord => ({
    at: 4000,
    method: 'signal',
    client: { name: 'procd-cli/0.1.0', pid: 99, via: 'signal', connection: 3 },
    params: { job: 7, signal: 'HUP' },
    result: { ok: true, jobs: [7] },
    ms: 2,
    ...over,
  });
  const runs = (id: number) => (id === 7 ? 1 : null);

  it('puts who asked on each job the call acted on, dated when the call came', () => {
    expect(entriesOfCall(record({}), runs)).toEqual([{ job: 7, entry: { at: 4000, run: 1, kind: 'request', detail: 'signal HUP', by: 'procd-cli/0.1.0 pid 99 (signal)' } }]);
    expect(entriesOfCall(record({ method: 'kill', params: { jobs: [7], graceMs: 2000 } }), runs)[0]?.entry.detail).toBe('kill grace 2.0s');
    expect(entriesOfCall(record({ method: 'track', params: { argv: ['node', 'x.js'] }, client: { name: 'procd-cli/0.1.0', pid: 5, via: 'up', connection: 1 } }), runs)[0]?.entry).toMatchObject({ detail: 'tracked', by: 'procd-cli/0.1.0 pid 5 (up)' });
  });

  it('adds nothing for refused calls, removals, or jobs no longer in the table', () => {
    expect(entriesOfCall(record({ result: { ok: false, code: -32000, error: 'JobNotFound', message: 'no job' } }), runs)).toEqual([]);
    expect(entriesOfCall(record({ method: 'rm', result: { ok: true, jobs: [7] } }), runs)).toEqual([]);
    expect(entriesOfCall(record({ method: 'kill', result: { ok: true, jobs: [8] } }), runs)).toEqual([]);
  });
});
