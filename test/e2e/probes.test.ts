// Readiness and liveness probes against a real daemon, real processes and real local servers:
// `output` marks a job ready when the line appears and not before; `listen` sees a real listener
// of the job's tree; `tcp` and `http` reach a server of this test; `exec` passing on its third try
// with a success threshold of 2; a failing liveness probe restarts a service and records why, or
// only flags it with restart `no`; a ready quiet service is not flagged stuck; the health score.

import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStatus } from '../../shared/methods.js';
import { waitFor } from '../helpers/wait-for.js';
import { processGone, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, jobStatus, trackJob, waitForEnd } from './helpers/jobs.js';

let d: TestDaemon | undefined;
let servers: Server[] = [];
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
  for (const s of servers) s.close();
  servers = [];
});

/** A local HTTP server answering `status()` (200 by default); its port. */
async function httpServer(status: () => number = () => 200): Promise<number> {
  const server = createServer((_req, res) => {
    res.writeHead(status());
    res.end('ok');
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const fast = ['--probe-interval', '200ms', '--probe-timeout', '2s'];

async function untilReady(job: number, timeoutMs = 30_000): Promise<JobStatus> {
  return waitFor(async () => {
    const s = await jobStatus(d!, job);
    return s.probes?.ready ? s : null;
  }, { what: `job ${job} ready`, timeoutMs });
}

describe('readiness probes', () => {
  it('output: ready when the line appears, not before; ls, status and an event say so', async () => {
    d = await startTestDaemon();
    const dir = mkdtempSync(join(tmpdir(), 'procd-probe-'));
    const go = join(dir, 'go');
    const job = await trackJob(d, ['--service', '--ready-when', 'output=^server up on \\d+$', ...fast, '--shell', `echo starting; while [ ! -e ${go} ]; do sleep 0.05; done; echo "server up on 8080"; exec sleep 1000`]);
    // Several checks pass over the output without the line: not ready.
    const waiting = await waitFor(async () => {
      const s = await jobStatus(d!, job.id);
      return (s.probes?.readiness?.checks ?? 0) >= 3 ? s : null;
    }, { what: 'three readiness checks', timeoutMs: 30_000 });
    expect(waiting.probes?.ready).toBeNull();
    expect(waiting.probes?.readiness?.last).toMatchObject({ ok: false });
    expect((await d.cli(['ls'])).stdout).toMatch(/running \(not ready\)/);
    const wroteAt = Date.now();
    writeFileSync(go, '');
    const ready = await untilReady(job.id);
    expect(ready.probes!.ready!.at).toBeGreaterThanOrEqual(wroteAt - 5);
    expect(ready.probes!.ready!.tookMs).toBe(ready.probes!.ready!.at - (ready.state as { startedAt: number }).startedAt);
    expect(ready.probes?.readiness?.last?.detail).toBe('server up on 8080');
    expect((await d.cli(['ls'])).stdout).toMatch(/running \(ready [\d.]+m?s\)/);
    expect((await d.cli(['status', String(job.id)])).stdout).toMatch(/ready when +output=\^server up on \\d\+\$: ready after/);
    // The event, replayed from the start: once, with the same time it took.
    const client = await d.client();
    for await (const event of client.events({ jobs: [job.id], kinds: ['job.ready'], afterSeq: 0 })) {
      expect(event).toMatchObject({ kind: 'job.ready', job: { id: job.id }, run: 1, tookMs: ready.probes!.ready!.tookMs, detail: 'server up on 8080' });
      break;
    }
  });

  it('listen: ready once a process of the job listens on a real port', async () => {
    d = await startTestDaemon();
    const script = "setTimeout(() => require('net').createServer().listen(0, '127.0.0.1', function () { console.log('port', this.address().port); }), 600)";
    const job = await trackJob(d, ['--ready-when', 'listen', ...fast, '--', process.execPath, '-e', script]);
    const ready = await untilReady(job.id);
    const port = /port (\d+)/.exec((await d.cli(['logs', String(job.id)])).stdout)?.[1];
    expect(port).toBeDefined();
    expect(ready.probes?.readiness?.last?.detail).toContain(`listening on ${port}`);
    expect(ready.probes!.ready!.tookMs).toBeGreaterThanOrEqual(500);
  });

  it('tcp and http: ready against a real local server; a wrong port stays not ready', async () => {
    d = await startTestDaemon();
    const port = await httpServer();
    const tcp = await trackJob(d, ['--ready-when', `tcp=127.0.0.1:${port}`, ...fast, '--', 'sleep', '1000']);
    const http = await trackJob(d, ['--ready-when', `http=http://127.0.0.1:${port}/health`, ...fast, '--', 'sleep', '1000']);
    expect((await untilReady(tcp.id)).probes?.readiness?.last?.detail).toContain(`connected to 127.0.0.1:${port}`);
    expect((await untilReady(http.id)).probes?.readiness?.last?.detail).toBe('HTTP 200');
    const closed = await httpServer();
    servers.at(-1)!.close();
    const never = await trackJob(d, ['--ready-when', `http=http://127.0.0.1:${closed}/`, ...fast, '--', 'sleep', '1000']);
    const s = await waitFor(async () => {
      const st = await jobStatus(d!, never.id);
      return (st.probes?.readiness?.checks ?? 0) >= 2 ? st : null;
    }, { what: 'two failed checks', timeoutMs: 30_000 });
    expect(s.probes?.ready).toBeNull();
    expect(s.probes?.readiness?.last?.detail).toMatch(/ECONNREFUSED/);
  });

  it('exec: a command that passes from its third try, with a success threshold of 2, makes the job ready at the fourth check', async () => {
    d = await startTestDaemon();
    const cwd = mkdtempSync(join(tmpdir(), 'procd-probe-exec-'));
    const command = 'n=$(cat tries 2>/dev/null || echo 0); n=$((n+1)); echo $n > tries; [ "$n" -ge 3 ] && [ "$PROBE_MARK" = yes ]';
    const job = await trackJob(d, ['--ready-when', `exec=${command}`, '--probe-successes', '2', ...fast, '--cwd', cwd, '--env', 'PROBE_MARK=yes', '--', 'sleep', '1000']);
    const ready = await untilReady(job.id);
    expect(ready.probes?.readiness).toMatchObject({ checks: 4, passes: 2, failures: 0 });
    // It ran in the job's cwd with the job's environment, and no check ran after readiness.
    expect(readFileSync(join(cwd, 'tries'), 'utf8').trim()).toBe('4');
  });
});

describe('liveness probes', () => {
  it('a failing liveness probe restarts a service and records why (outcome unhealthy, detail liveness)', async () => {
    d = await startTestDaemon();
    let healthy = true;
    const port = await httpServer(() => (healthy ? 200 : 503));
    const job = await trackJob(d, ['--name', 'api', '--restart', 'always', '--restart-delay', '100ms', '--alive-when', `http=http://127.0.0.1:${port}/health`, '--probe-failures', '2', ...fast, '--', 'sleep', '1000']);
    await waitFor(async () => ((await jobStatus(d!, job.id)).probes?.liveness?.passes ?? 0) >= 2, { what: 'two passing liveness checks', timeoutMs: 30_000 });
    expect((await jobStatus(d, job.id)).health).toEqual({ score: 100, reasons: [] });
    healthy = false;
    const restarted = await waitFor(async () => {
      const s = await jobStatus(d!, job.id);
      return (s.runs?.earlier.length ?? 0) >= 1 ? s : null;
    }, { what: 'a restart', timeoutMs: 30_000 });
    healthy = true;
    expect(restarted.runs!.earlier[0]).toMatchObject({ run: 1, state: 'failed', outcome: 'unhealthy', outcomeDetail: 'liveness', exitCode: 143, then: 'restart' });
    // The next run starts with a clean probe record. (On a loaded machine run 2 may have started, and
    // failed its checks, before this test saw the restart and made the server healthy: a later run then passes.)
    const next = await waitFor(async () => {
      const s = await jobStatus(d!, job.id);
      return s.state.kind === 'running' && (s.runs?.current ?? 1) >= 2 && (s.probes?.liveness?.passes ?? 0) >= 1 ? s : null;
    }, { what: 'a later run passing its probe', timeoutMs: 30_000 });
    expect(next.probes?.unhealthySince).toBeNull();
    expect((await d.cli(['status', 'api'])).stdout).toMatch(new RegExp(`last run +run ${next.runs!.current - 1}: failed \\(unhealthy: liveness\\)`));
  });

  it('with restart no, a failing liveness probe only flags the job unhealthy (high), and the health score says why', async () => {
    d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '300ms' } });
    const port = await httpServer(() => 503);
    const job = await trackJob(d, ['--alive-when', `http=http://127.0.0.1:${port}/`, '--probe-failures', '2', ...fast, '--', 'sleep', '1000']);
    const flagged = await waitFor(async () => {
      const s = await jobStatus(d!, job.id);
      return s.flags.some((f) => f.kind === 'unhealthy') ? s : null;
    }, { what: 'the unhealthy flag', timeoutMs: 30_000 });
    expect(flagged.state.kind).toBe('running');
    expect(flagged.flags.find((f) => f.kind === 'unhealthy')).toMatchObject({ severity: 'high', detail: expect.stringContaining('HTTP 503') });
    // −50 while the liveness probe fails; the unhealthy flag is not counted twice.
    expect(flagged.health).toEqual({ score: 50, reasons: [{ points: -50, why: 'liveness probe failing: HTTP 503' }] });
    const [header, row] = (await d.cli(['ls', '--wide'])).stdout.split('\n');
    expect(row).toContain('running (unhealthy)');
    expect(row!.slice(header!.indexOf('HEALTH')).split(/\s+/)[0]).toBe('50');
  });

  it('a ready, quiet service is never flagged stuck, where a not-ready one is', async () => {
    d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '200ms' } });
    const quietAfter = ['--service', '--stuck-after', '1s', ...fast];
    const ready = await trackJob(d, [...quietAfter, '--ready-when', 'output=up', '--shell', 'echo up; exec sleep 1000']);
    const notReady = await trackJob(d, [...quietAfter, '--ready-when', 'output=never-printed', '--shell', 'echo up; exec sleep 1000']);
    await untilReady(ready.id);
    await waitFor(async () => (await jobStatus(d!, notReady.id)).flags.some((f) => f.kind === 'stuck'), { what: 'the not-ready service flagged stuck', timeoutMs: 30_000 });
    const s = await jobStatus(d, ready.id);
    expect(s.output.lastOutputAt).not.toBeNull();
    expect(Date.now() - s.output.lastOutputAt!).toBeGreaterThan(1000);
    expect(s.flags.map((f) => f.kind)).toEqual([]);
  });
});

describe('probes and a daemon crash', () => {
  it('a ready job stays ready across a daemon SIGKILL, and its liveness probe runs again in the next daemon', async () => {
    d = await startTestDaemon();
    let healthy = true;
    const port = await httpServer(() => (healthy ? 200 : 503));
    const job = await trackJob(d, ['--ready-when', `tcp=${port}`, '--alive-when', `http=http://127.0.0.1:${port}/`, '--probe-failures', '2', ...fast, '--', 'sleep', '1000']);
    const ready = await untilReady(job.id);
    const daemonPid = (await daemonStatus(d)).pid;
    process.kill(daemonPid, 'SIGKILL');
    await waitFor(() => processGone(daemonPid), { what: 'the daemon to die' });
    // The next call autostarts a daemon: the job is still running and still ready, from the same moment.
    const after = await jobStatus(d, job.id);
    expect(after.state.kind).toBe('running');
    expect(after.probes?.ready).toEqual(ready.probes?.ready);
    healthy = false;
    const flagged = await waitFor(async () => {
      const s = await jobStatus(d!, job.id);
      return s.probes?.unhealthySince ? s : null;
    }, { what: 'the new daemon to find the liveness probe failing', timeoutMs: 30_000 });
    expect(flagged.probes?.liveness?.last).toMatchObject({ ok: false, detail: 'HTTP 503' });
  }, 90_000);
});

describe('bad probe options', () => {
  it('refuses a mistyped condition with a suggestion, and probe figures without a probe', async () => {
    d = await startTestDaemon();
    const typo = await d.cli(['track', '--ready-when', 'lisen=80', '--', 'true']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown condition `lisen`; did you mean `listen`?');
    const wait = await d.cli(['track', '--alive-when', 'exit', '--', 'true']);
    expect(wait.stderr).toContain('condition `exit` cannot be used here');
    const orphan = await d.cli(['track', '--probe-failures', '5', '--', 'true']);
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toContain('--probe-failures shapes a probe');
    expect((await d.cli(['track', '--ready-when', 'tcp=1', '--probe-interval', '1ms', '--', 'true'])).stderr).toContain('--probe-interval');
    // The daemon still answers, and a job ended with probes does not leave them running.
    const done = await trackJob(d, ['--ready-when', 'tcp=1', '--', 'true']);
    expect((await waitForEnd(d, done.id)).state.kind).toBe('completed');
  });
});
