// `kill --port` against a real daemon and real listeners: TCP and UDP on one number are different
// ports; `--adopt` is all or nothing and records the adopter as owner; a job named and also found
// by port is stopped (and reported) once.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/job.js';
import { isAlive } from '../../daemon/proc/process-table.js';
import { waitFor } from '../helpers/wait-for.js';
import { Spawned } from '../unit/proc/spawned.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobLogs, jobStatus, parseJson, trackJob } from './helpers/jobs.js';

/** A TCP server on an ephemeral port of 127.0.0.1 that prints `port N` once it listens. */
const TCP_SERVER = "const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => console.log('port ' + s.address().port)); setInterval(() => {}, 1000)";
/** A UDP socket bound to the port given as argument, on 127.0.0.1. */
const UDP_SERVER = "const s = require('dgram').createSocket('udp4'); s.bind(Number(process.argv[1]), '127.0.0.1', () => console.log('bound')); setInterval(() => {}, 1000)";
/** A TCP server on an ephemeral port of [::1] (IPv6 only) that prints `port N` once it listens. */
const V6_SERVER = "const s = require('net').createServer(); s.listen({ port: 0, host: '::1', ipv6Only: true }, () => console.log('port ' + s.address().port)); setInterval(() => {}, 1000)";
/** A TCP server on 127.0.0.1 at the port given, that starts a child (`child N` printed) once it listens. */
const V4_PARENT = "const s = require('net').createServer(); s.listen(Number(process.argv[1]), '127.0.0.1', () => { const c = require('child_process').spawn('sleep', ['600'], { stdio: 'ignore' }); console.log('child ' + c.pid); }); setInterval(() => {}, 1000)";

let d: TestDaemon;
const spawned = new Spawned();
beforeAll(async () => {
  d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '300ms' } });
});
afterEach(() => spawned.cleanup());
afterAll(async () => {
  await d?.cleanup();
});

async function printed(id: number, re: RegExp): Promise<RegExpExecArray> {
  return waitFor(async () => re.exec(await jobLogs(d, id)), { what: `job ${id} to print ${re}`, timeoutMs: 30_000 });
}

async function listingJobs(): Promise<JobView[]> {
  const r = await d.cli(['ls', '--all', '--json']);
  expectExit(r, 0, 'ls --all --json');
  return parseJson<JobView[]>(r, 'ls --all --json');
}

describe('kill --port', () => {
  it('TCP by default, --udp for UDP: a TCP job and a UDP job on one number are each stopped alone', async () => {
    const tcp = await trackJob(d, ['--name', 'tcp-srv', '--', process.execPath, '-e', TCP_SERVER]);
    const port = Number((await printed(tcp.id, /port (\d+)/))[1]);
    const udp = await trackJob(d, ['--name', 'udp-srv', '--', process.execPath, '-e', UDP_SERVER, String(port)]);
    await printed(udp.id, /bound/);

    const killedTcp = await d.cli(['kill', '--port', String(port), '--json']);
    expectExit(killedTcp, 0, `kill --port ${port}`);
    expect(parseJson<{ id: number }[]>(killedTcp, 'kill --port').map((r) => r.id)).toEqual([tcp.id]);
    expect((await jobStatus(d, udp.id)).state.kind).toBe('running');

    const killedUdp = await d.cli(['kill', '--port', String(port), '--udp', '--json']);
    expectExit(killedUdp, 0, `kill --port ${port} --udp`);
    expect(parseJson<{ id: number }[]>(killedUdp, 'kill --port --udp').map((r) => r.id)).toEqual([udp.id]);
    const again = await d.cli(['kill', '--port', String(port), '--udp']);
    expectExit(again, 1, 'kill --port --udp when free');
    expect(again.stderr).toContain(`nothing listens on UDP port ${port}`);
    expectExit(await d.cli(['kill', '--udp']), 2, 'kill --udp without --port');
  });

  it('a job named and found by port is stopped and reported once', async () => {
    const job = await trackJob(d, ['--name', 'dup', '--', process.execPath, '-e', TCP_SERVER]);
    const port = Number((await printed(job.id, /port (\d+)/))[1]);
    await waitFor(async () => (await jobStatus(d, job.id)).ports?.length, { what: `job ${job.id} to show its port`, timeoutMs: 30_000 });
    const r = await d.cli(['kill', 'dup', '--port', String(port)]);
    expectExit(r, 0, 'kill dup --port');
    expect(r.stdout.split('\n').filter((l) => l.startsWith(`job ${job.id} `))).toHaveLength(1);
  });

  it('--adopt is all or nothing: when one holder cannot be adopted none stays adopted and nothing is stopped; the adopted get the caller as owner', async () => {
    // Holders are adopted in port-row order ([::1] before 127.0.0.1); the second is an ancestor of the "caller": adopt refuses it.
    const first = spawned.spawn(process.execPath, ['-e', V6_SERVER]);
    const port = Number(/port (\d+)/.exec(await Spawned.firstLine(first))![1]);
    const second = spawned.spawn(process.execPath, ['-e', V4_PARENT, String(port)]);
    const childPid = Number(/child (\d+)/.exec(await Spawned.firstLine(second))![1]);
    try {
      const c = await d.client();
      await expect(c.kill({ port, adopt: true, callerPid: childPid })).rejects.toMatchObject({ codeName: 'AdoptFailed', data: { pid: second.pid, reason: 'caller_ancestor' } });
      expect((await listingJobs()).filter((j) => j.spec.command.kind === 'adopted' && j.state.kind === 'running')).toEqual([]);
      expect(await isAlive(first.pid!)).toBe(true);
      expect(await isAlive(second.pid!)).toBe(true);
    } finally {
      process.kill(childPid, 'SIGKILL');
    }

    second.kill('SIGKILL');
    await waitFor(() => second.exitCode !== null || second.signalCode !== null, { what: 'the second holder to end', timeoutMs: 30_000 });
    const r = await d.cli(['kill', '--port', String(port), '--adopt', '--json'], { env: { PROCD_OWNER: '' } });
    expectExit(r, 0, `kill --port ${port} --adopt`);
    const [stopped] = parseJson<{ id: number }[]>(r, 'kill --port --adopt');
    expect((await jobStatus(d, stopped!.id)).owner).toMatchObject({ name: expect.stringMatching(/^procd-/), pid: expect.any(Number) });
  });
});
