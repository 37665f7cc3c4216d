// Services and tasks against a real daemon: with a 1 s default stuck-after, a quiet task is
// flagged stuck while a quiet service started before it is not (a service asks for the flag with
// --stuck-after); `ls` shows which is which, `status` and JSON too.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, flagOf, jobStatus, trackJob, waitForFlag } from './helpers/jobs.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon({ env: { PROCD_STUCK_AFTER: '1s', PROCD_SAMPLE_INTERVAL: '250ms' } });
});
afterEach(async () => {
  await d?.cleanup();
});

describe('track --service', () => {
  it('flags a quiet task stuck and not a quiet service that has been silent longer', async () => {
    const service = await trackJob(d, ['--service', '--name', 'server', '--', 'sleep', '1000']);
    const asked = await trackJob(d, ['--service', '--stuck-after', '1s', '--name', 'watcher', '--', 'sleep', '1000']);
    const task = await trackJob(d, ['--name', 'build', '--', 'sleep', '1000']);
    expect(service.spec).toMatchObject({ kind: 'service', stuckAfterMs: 0 });
    expect(asked.spec).toMatchObject({ kind: 'service', stuckAfterMs: 1000 });
    expect(task.spec).toMatchObject({ kind: 'task', stuckAfterMs: 1000 });

    await waitForFlag(d, task.id, 'stuck', { timeoutMs: 30_000 });
    await waitForFlag(d, asked.id, 'stuck', { timeoutMs: 30_000 });
    // The service started first: it has been silent longer than the task that is flagged now.
    const quiet = await jobStatus(d, service.id);
    expect(quiet.state.kind).toBe('running');
    expect(flagOf(quiet, 'stuck')).toBeUndefined();
    expect(quiet.flagHistory.filter((f) => f.kind === 'stuck')).toEqual([]);

    const ls = await d.cli(['ls']);
    expectExit(ls, 0, 'ls');
    const lines = ls.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATE\s+PID\s+TIME\s+EXIT\s+CPU\s+MEM\s+FLAGS\s+KIND\s+COMMAND/);
    expect(lines.find((l) => l.startsWith(`${service.id} `))).toMatch(/ svc +sleep 1000$/);
    expect(lines.find((l) => l.startsWith(`${task.id} `))).toMatch(/ stuck +task +sleep 1000$/);

    const status = await d.cli(['status', 'server']);
    expect(status.stdout).toMatch(/^kind +service \(meant to stay up/m);
    expect(status.stdout).toMatch(/^stuck after +disabled$/m);
  });
});
