// Alerts with a real daemon: a flag raised on a real job publishes an `alert` event and runs the
// notify command (PROCD_ON_ALERT) with the alert's JSON on stdin — once within the rule's
// cooldown, however often the flag is raised again; another job has its own cooldown.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertInfo } from '../../shared/alerts.js';
import type { ProcdEvent } from '../../shared/events.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

function notified(home: string): AlertInfo[] {
  const file = join(home, 'notified.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AlertInfo);
}

describe('alerts', () => {
  it('a flag raised publishes an alert event and runs the notify command once within the cooldown', async () => {
    d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '200ms', PROCD_ON_ALERT: 'cat >> "$PROCD_HOME/notified.jsonl"' } });
    const c = await d.client();
    const seen: ProcdEvent[] = [];
    c.onEvent((e) => seen.push(e));
    await c.subscribe({ kinds: ['alert', 'flag.raised', 'flag.cleared'] });
    const flagEvents = (id: number, kind: string) => seen.filter((e) => e.kind === kind && 'job' in e && e.job.id === id);
    const alerts = (): AlertInfo[] => seen.flatMap((e) => (e.kind === 'alert' ? [{ ...e.alert, job: e.job }] : []));

    // Silent until told to print once, then silent again: stuck, cleared, stuck again.
    const go = join(d.home, 'go');
    const quiet = await trackJob(d, ['--name', 'quiet', '--stuck-after', '1s', '--shell', `while [ ! -e '${go}' ]; do sleep 0.1; done; echo tick; exec sleep 415001`], { code: 0 });
    await waitFor(() => (flagEvents(quiet.id, 'flag.raised').length ? true : null), { what: 'the stuck flag', timeoutMs: 30_000 });
    await waitFor(() => (alerts().length ? true : null), { what: 'the alert event' });
    expect(alerts()).toEqual([
      { rule: 'flag', severity: 'warning', summary: expect.stringMatching(/^quiet \(job \d+\): flagged stuck \(medium\): no output for/), data: { flag: 'stuck', flagSeverity: 'medium' }, job: expect.objectContaining({ id: quiet.id, name: 'quiet' }) },
    ]);
    await waitFor(() => (notified(d!.home).length === 1 ? true : null), { what: 'the notify command to run' });
    expect(notified(d.home)[0]).toEqual(alerts()[0]);

    writeFileSync(go, '');
    await waitFor(() => (flagEvents(quiet.id, 'flag.cleared').length ? true : null), { what: 'the flag to clear on output', timeoutMs: 30_000 });
    await waitFor(() => (flagEvents(quiet.id, 'flag.raised').length === 2 ? true : null), { what: 'the flag raised again', timeoutMs: 30_000 });

    // Another job is alerted at once (its own cooldown): once its notification is written, the
    // first job's second raise has had every chance to notify, and must not have.
    const other = await trackJob(d, ['--name', 'other', '--stuck-after', '1s', '--', 'sleep', '415002'], { code: 0 });
    await waitFor(() => (notified(d!.home).some((a) => a.job.id === other.id) ? true : null), { what: "the other job's notification", timeoutMs: 30_000 });
    expect(alerts().map((a) => a.job.name)).toEqual(['quiet', 'other']);
    expect(notified(d.home).map((a) => a.job.name).sort()).toEqual(['other', 'quiet']);
    // The daemon took no harm and says nothing is wrong with its settings.
    expect((await daemonStatus(d)).warnings).toEqual([]);
  }, 90_000);

  it('a notify command that fails is logged, never fatal; a bad alerts.json is a warning', async () => {
    d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '200ms', PROCD_ON_ALERT: 'exit 3' } });
    writeFileSync(join(d.home, 'alerts.json'), '{"rules": [{"name": "x", "when": "rain"}]}');
    // The file is read at start: restart the daemon (jobs are kept).
    expect((await d.cli(['daemon', 'restart'])).code).toBe(0);
    const status = await daemonStatus(d);
    expect(status.warnings.join('\n')).toMatch(/alerts\.json: rules\[0\]\.when: expected one of flag, failure-rate, limit, lost; using the default alert rules/);
    const c = await d.client();
    const alerts: ProcdEvent[] = [];
    c.onEvent((e) => alerts.push(e));
    await c.subscribe({ kinds: ['alert'] });
    await trackJob(d, ['--stuck-after', '1s', '--', 'sleep', '415003'], { code: 0 });
    await waitFor(() => (alerts.length ? true : null), { what: 'an alert from the default rules', timeoutMs: 30_000 });
    await waitFor(() => (readFileSync(d!.paths.logFile, 'utf8').includes('alert notify command failed') ? true : null), { what: 'the failure in the daemon log' });
    expect((await daemonStatus(d)).pid).toBe(status.pid);
  }, 90_000);

  it('procd daemon restart --on-alert CMD gives the new daemon its notify command', async () => {
    d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '200ms' } });
    expect((await d.cli(['daemon', 'restart', '--on-alert', 'cat >> "$PROCD_HOME/notified.jsonl"'])).code).toBe(0);
    const job = await trackJob(d, ['--stuck-after', '1s', '--', 'sleep', '415004'], { code: 0 });
    await waitFor(() => (notified(d!.home).some((a) => a.job.id === job.id) ? true : null), { what: 'the notify command given by --on-alert', timeoutMs: 30_000 });
    expect((await d.cli(['daemon', 'start', '--on-alert', ' '])).code).toBe(2);
  }, 90_000);

  it('a crash loop trips the failure-rate rule: runs its policy restarts count as failures', async () => {
    d = await startTestDaemon();
    const c = await d.client();
    const alerts: ProcdEvent[] = [];
    c.onEvent((e) => alerts.push(e));
    await c.subscribe({ kinds: ['alert'] });
    const job = await trackJob(d, ['--name', 'loop', '--restart', 'on-failure', '--restart-delay', '100ms', '--max-restarts', '5', '--shell', 'exit 3'], { code: 0 });
    const fired = await waitFor(() => alerts.find((e) => e.kind === 'alert' && e.alert.rule === 'failure-rate') ?? null, { what: 'the failure-rate alert', timeoutMs: 60_000 });
    expect(fired).toMatchObject({ job: { id: job.id, name: 'loop' }, alert: { severity: 'critical', summary: expect.stringMatching(/^3 of 3 runs failed in the last 10m00s \(100%, over 50%\)/) } });
  }, 90_000);
});
