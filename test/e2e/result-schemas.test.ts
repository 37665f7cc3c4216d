// The result and event schemas describe what a real daemon answers: every method's answer and every
// event seen on a subscription is checked against shared/schemas/ (the same schemas the docs and
// the client's types come from), so a schema that drifts from the daemon fails here.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcdClient } from '../../client/index.js';
import type { MethodName } from '../../shared/methods.js';
import { ProcdEventSchema } from '../../shared/schemas/events.js';
import { METHOD_SCHEMAS } from '../../shared/schemas/methods.js';
import { parseAt } from '../../shared/schemas/valid.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';

let d: TestDaemon | undefined;
let outside: ChildProcess | undefined;
afterEach(async () => {
  outside?.kill('SIGKILL');
  outside = undefined;
  await d?.cleanup();
  d = undefined;
});

describe('answers and events match their schemas', () => {
  it('every method, on a real daemon', async () => {
    d = await startTestDaemon();
    const c: ProcdClient = await d.client();
    const seen = new Set<MethodName>();
    const check = <T>(method: MethodName, result: T): T => {
      expect(parseAt(METHOD_SCHEMAS[method].result, result, `${method} result`)).toMatchObject({ ok: true });
      seen.add(method);
      return result;
    };
    const events: unknown[] = [];
    c.onNotification((_method, params) => events.push(params));
    check('subscribe', await c.subscribe({ samples: true }));
    check('hello', await c.hello({ client: 'schema-test' }));

    const quick = check('track', await c.track({ shell: 'echo out; echo err >&2', cwd: '/', name: 'quick', tags: ['t'] }));
    check('wait', await c.wait({ jobs: [quick.id], timeoutMs: 20_000 }));
    check('logs', await c.logs({ job: quick.id }));
    // Recorded a moment after its end: the answer is checked with a run in it.
    const recorded = await waitFor(async () => {
      const h = await c.history({ job: quick.id });
      return h.runs.length ? h : null;
    }, { what: "the quick job's run in the history" });
    check('history', recorded);
    const slow = check('track', await c.track({ argv: ['sleep', '1061'], cwd: '/', expectMs: 1 }));
    check('status', await c.status({ job: slow.id, tree: true, timeline: true }));
    check('progress', await c.progress({ job: slow.id, done: 5, total: 10, phase: 'warm-up' }));
    expect(check('status', await c.status({ job: slow.id })).eta).toMatchObject({ basis: 'progress' });
    // A listener: its `ports` in status and list, a `ports` answer naming it, a job.listening event.
    const srv = check('track', await c.track({ argv: [process.execPath, '-e', "require('net').createServer().listen(0, '127.0.0.1')"], cwd: '/', name: 'srv' }));
    await waitFor(async () => check('status', await c.status({ job: srv.id })).ports?.length, { what: 'the listener in its status', timeoutMs: 30_000 });
    expect(check('ports', await c.ports({ all: true })).some((r) => r.job?.id === srv.id)).toBe(true);
    check('list', await c.list({ all: true }));
    check('count', await c.count({}));
    check('rows', await c.rows({ all: true }));
    check('status', await c.status({ job: quick.id, env: true }));
    check('signal', await c.signal({ job: slow.id, signal: 'SIGCONT' }));
    check('pause', await c.pause({ jobs: [slow.id] }));
    check('resume', await c.resume({ jobs: [slow.id] }));
    check('restart', await c.restart({ jobs: [slow.id], graceMs: 1000 }));
    check('group.set', await c.groupSet({ name: 'g', parallel: 1, paused: true }));
    const waiting = check('track', await c.track({ argv: ['true'], cwd: '/', group: 'g', priority: 'high', after: [`${quick.id}:ended`] }));
    check('priority', await c.priority({ job: waiting.id, priority: 'low' }));
    check('priority', await c.priority({ job: slow.id, priority: 5 }));
    check('group.ls', await c.groupLs({}));
    await c.kill({ jobs: [waiting.id] });
    check('group.rm', await c.groupRm({ name: 'g' }));
    const kindSeen = (kind: string) => events.some((e) => (e as { kind: string }).kind === kind);
    await waitFor(() => kindSeen('sample') && kindSeen('flag.raised'), { what: 'a sample and a time-sink flag of the sleeping job', timeoutMs: 30_000 });
    // While the slow job runs past its expectation: a report with a time sink and a recommendation.
    expect(check('analyze', await c.analyze({ sinceMs: 3_600_000 })).timeSinks.length).toBeGreaterThan(0);
    check('stats', await c.stats({}));
    check('kill', await c.kill({ jobs: [slow.id], graceMs: 1000 }));
    check('rm', await c.rm({ jobs: [quick.id] }));

    outside = spawn('sleep', ['1062'], { stdio: 'ignore' });
    const adopted = check('adopt', await c.adopt({ pid: outside.pid!, name: 'outside' }));
    check('kill', await c.kill({ jobs: [adopted.id], graceMs: 1000 }));
    const again = spawn('sleep', ['1063'], { stdio: 'ignore' });
    try {
      const second = check('adopt', await c.adopt({ pid: again.pid!, name: 'released' }));
      check('release', await c.release({ job: second.id }));
    } finally {
      again.kill('SIGKILL');
    }
    check('cleanup', await c.cleanup({ dryRun: true }));
    check('prune', await c.prune({}));
    check('audit', await c.audit({ limit: 1000 }));
    const series = check('trends', await c.trends({ sinceMs: 600_000, bucketMs: 60_000 }));
    // The quick job's run (in the history) started within the last 10 minutes.
    expect(series.buckets.reduce((n, b) => n + b.started, 0)).toBeGreaterThanOrEqual(1);
    check('rpc.discover', await c.rpcDiscover());
    check('metrics', await c.metrics({ topJobs: 5 }));
    check('daemon.status', await c.daemonStatus());
    check('daemon.stop', await c.daemonStop({}));
    await waitFor(() => kindSeen('daemon.shutdown'), { what: 'the shutdown event' });

    expect([...seen].sort()).toEqual(Object.keys(METHOD_SCHEMAS).sort());
    const kinds = new Set<string>();
    for (const e of events) {
      expect(parseAt(ProcdEventSchema, e, 'event')).toMatchObject({ ok: true });
      kinds.add((e as { kind: string }).kind);
    }
    for (const k of ['job.started', 'job.state', 'job.stopping', 'job.progress', 'job.listening', 'flag.raised', 'alert', 'sample', 'daemon.shutdown']) expect(kinds).toContain(k);
  });
});
