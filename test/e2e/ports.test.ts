// Ports (issue 15 §3) against a real daemon and real listeners: a job listening on an ephemeral port
// shows it in status JSON, `ls --wide` and `procd ports`, and `job.listening` is published;
// `kill --port` stops it and `wait --for port-free=` then succeeds; a process procd does not
// supervise is refused by `kill --port` (PortNotSupervised) and stopped with `--adopt`.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProcdEvent } from '../../shared/events.js';
import type { AnalyzeReport } from '../../shared/analyze.js';
import type { JobView } from '../../shared/job.js';
import type { ResultOf } from '../../shared/methods.js';
import { isAlive } from '../../daemon/proc/process-table.js';
import { waitFor } from '../helpers/wait-for.js';
import { Spawned } from '../unit/proc/spawned.js';
import { CLI, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobLogs, jobStatus, parseJson, trackJob } from './helpers/jobs.js';

type PortRows = ResultOf<'ports'>;

/** A server on an ephemeral port of 127.0.0.1 that prints `port N` once it listens. */
const SERVER = "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port)); setInterval(() => {}, 1000)";

let d: TestDaemon;
const spawned = new Spawned();
beforeAll(async () => {
  d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '300ms' } });
});
afterEach(() => spawned.cleanup());
afterAll(async () => {
  await d?.cleanup();
});

async function portRows(args: string[] = []): Promise<PortRows> {
  const r = await d.cli(['ports', '--json', ...args]);
  expectExit(r, 0, 'ports --json');
  return parseJson<PortRows>(r, 'ports --json');
}

/** The port the job printed. */
async function printedPort(id: number): Promise<number> {
  const line = await waitFor(async () => /port (\d+)/.exec(await jobLogs(d, id)), { what: `job ${id} to print its port`, timeoutMs: 30_000 });
  return Number(line[1]);
}

describe('ports of a job', () => {
  it('a job on an ephemeral port: in status JSON, ls --wide, procd ports and a job.listening event; kill --port stops it, port-free then holds', async () => {
    const c = await d.client();
    const seen: ProcdEvent[] = [];
    c.onEvent((e) => seen.push(e));
    await c.subscribe({ kinds: ['job.listening'] });
    const job = await trackJob(d, ['--name', 'srv', '--', process.execPath, '-e', SERVER]);
    const port = await printedPort(job.id);
    const status = await waitFor(async () => {
      const s = await jobStatus(d, job.id);
      return s.ports?.some((p) => p.port === port) ? s : null;
    }, { what: `status of job ${job.id} to show port ${port}`, timeoutMs: 30_000 });
    const pid = status.state.kind === 'running' ? status.state.pid : -1;
    expect(status.ports).toEqual([{ port, protocol: 'tcp', address: '127.0.0.1', pid }]);

    const wide = await d.cli(['ls', '--wide']);
    expectExit(wide, 0, 'ls --wide');
    expect(wide.stdout.split('\n')[0]).toContain('PORTS');
    expect(wide.stdout).toContain(`${port}/tcp`);
    const human = await d.cli(['status', 'srv']);
    expect(human.stdout).toMatch(new RegExp(`^ports +${port}/tcp on 127\\.0\\.0\\.1 \\(pid ${pid}\\)$`, 'm'));

    const rows = await portRows();
    expect(rows.filter((r) => r.port === port)).toEqual([{ port, protocol: 'tcp', address: '127.0.0.1', pid, uid: expect.any(Number), command: expect.stringContaining('createServer'), job: { id: job.id, name: 'srv' } }]);
    expect(rows.map((r) => r.port)).toEqual([...rows.map((r) => r.port)].sort((a, b) => a - b));

    const event = await waitFor(() => seen.find((e) => e.kind === 'job.listening' && e.job.id === job.id), { what: 'a job.listening event', timeoutMs: 30_000 });
    expect(event).toMatchObject({ kind: 'job.listening', job: { id: job.id, name: 'srv' }, ports: [{ port, protocol: 'tcp', address: '127.0.0.1', pid }] });
    // `procd events` follows until stopped: read its output until the line comes, then stop it.
    const follower = spawned.spawn(process.execPath, [CLI, 'events', '--after', '0', '--kind', 'job.listening'], { extraEnv: { PROCD_HOME: d.home }, stdio: ['ignore', 'pipe', 'ignore'] });
    let printed = '';
    follower.stdout!.on('data', (b: Buffer) => (printed += b.toString()));
    await waitFor(() => printed.includes(`job.listening job ${job.id} (srv) listening on 127.0.0.1:${port}/tcp (pid ${pid})`), { what: "procd events to print the job.listening line", timeoutMs: 30_000 });
    follower.kill();
    // The job's timeline has it too.
    const withTimeline = parseJson<ResultOf<'status'>>(await d.cli(['status', String(job.id), '--timeline', '--json']), 'status --timeline');
    expect(withTimeline.timeline?.map((t) => [t.kind, t.detail])).toContainEqual(['listening', `listening: ${port}/tcp on 127.0.0.1 (pid ${pid})`]);

    const killed = await d.cli(['kill', '--port', String(port), '--json']);
    expectExit(killed, 0, `kill --port ${port}`);
    expect(parseJson<unknown[]>(killed, 'kill --port')).toMatchObject([{ ok: true, id: job.id, state: 'killed', signalled: [pid] }]);
    expectExit(await d.cli(['wait', '--for', `port-free=${port}`, '--timeout', '30s']), 0, `wait --for port-free=${port}`);
    const after = await jobStatus(d, job.id);
    expect(after.state.kind).toBe('killed');
    expect(after.ports).toBeUndefined();
  });

  it('a listener procd does not supervise: refused without --adopt (nothing stopped), adopted and stopped with it', async () => {
    const foreign = spawned.spawn(process.execPath, ['-e', SERVER]);
    const port = Number(/port (\d+)/.exec(await Spawned.firstLine(foreign))![1]);
    const row = (await portRows()).find((r) => r.port === port);
    expect(row).toMatchObject({ pid: foreign.pid, job: null });

    const refused = await d.cli(['kill', '--port', String(port), '--json']);
    expectExit(refused, 1, `kill --port ${port} (foreign)`);
    expect(parseJson<{ error: { name: string; data: unknown } }>(refused, 'kill --port').error).toMatchObject({ name: 'PortNotSupervised', data: { port, holders: [{ pid: foreign.pid }] } });
    expect(await isAlive(foreign.pid)).toBe(true);

    const adopted = await d.cli(['kill', '--port', String(port), '--adopt', '--json']);
    expectExit(adopted, 0, `kill --port ${port} --adopt`);
    expect(parseJson<unknown[]>(adopted, 'kill --port --adopt')).toMatchObject([{ ok: true, state: 'killed', signalled: [foreign.pid] }]);
    await waitFor(() => foreign.exitCode !== null || foreign.signalCode !== null, { what: 'the foreign listener to end', timeoutMs: 30_000 });
    expectExit(await d.cli(['wait', '--for', `port-free=${port}`, '--timeout', '30s']), 0, `wait --for port-free=${port}`);
  });

  it('analyze: a live job declaring (PORT=) the port another job listens on is a port conflict, with the listener as holder', async () => {
    const holder = await trackJob(d, ['--name', 'holder', '--', process.execPath, '-e', SERVER]);
    const port = await printedPort(holder.id);
    await waitFor(async () => (await jobStatus(d, holder.id)).ports?.some((p) => p.port === port), { what: `job ${holder.id} to show port ${port}`, timeoutMs: 30_000 });
    const r = await d.cli(['track', '--json', '--name', 'wants', '--', 'sleep', '600'], { env: { PORT: String(port) } });
    expectExit(r, 0, 'track wants');
    const wants = parseJson<JobView>(r, 'track wants');
    const report = parseJson<AnalyzeReport>(await d.cli(['analyze', '--json']), 'analyze --json');
    expect(report.portConflicts).toContainEqual({ jobId: wants.id, name: 'wants', run: null, port: String(port), protocol: 'tcp', at: expect.any(Number), holders: [{ jobId: holder.id, name: 'holder', run: null, live: true }], claim: 'declared' });
    const human = await d.cli(['analyze']);
    expect(human.stdout).toContain(`job ${wants.id} (wants) wants TCP port ${port}, held by job ${holder.id}`);
    expectExit(await d.cli(['kill', String(holder.id), String(wants.id)]), 0, 'kill holder and wants');
  });

  it('bad input: nothing listening, no jobs and no port, --adopt without --port; the daemon keeps answering', async () => {
    const free = await d.cli(['kill', '--port', '1', '--json']);
    expectExit(free, 1, 'kill --port 1');
    expect(parseJson<{ error: { name: string } }>(free, 'kill --port 1').error.name).toBe('PortNotListening');
    const c = await d.client();
    await expect(c.kill({})).rejects.toMatchObject({ codeName: 'InvalidParams' });
    await expect(c.kill({ port: 0 })).rejects.toMatchObject({ codeName: 'InvalidParams' });
    expectExit(await d.cli(['kill', '--adopt']), 2, 'kill --adopt');
    expectExit(await d.cli(['kill', '--port', 'x']), 2, 'kill --port x');
    expectExit(await d.cli(['ports']), 0, 'ports after bad input');
  });
});
