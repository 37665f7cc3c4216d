// The monitor's ports on a real process: a running job's listener is found and announced once,
// and the socket tables are read only when a socket appears that was not classified yet — a tick
// where nothing changed reads none.

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job, JobId } from '../../../shared/job.js';
import type { ListeningPort } from '../../../shared/ports.js';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { ProcessSnapshots } from '../../../daemon/monitor/job-processes.js';
import { PortWatch } from '../../../daemon/monitor/ports.js';
import { readSocketTables } from '../../../daemon/proc/sockets.js';
import { makeJob, runningState } from '../../helpers/job-factory.js';
import { memoryStore as store } from '../../helpers/stand-ins.js';
import { Spawned } from '../proc/spawned.js';

const spawned = new Spawned();
afterEach(() => spawned.cleanup());

/** A node process that listens on an ephemeral port of 127.0.0.1 when told to, printing it. */
function server() {
  const script = "process.stdin.on('data', () => { const s = require('net').createServer(); s.listen(0, '127.0.0.1', () => console.log(s.address().port)); })";
  const child = spawned.spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const listen = async (): Promise<number> => {
    const line = Spawned.firstLine(child);
    child.stdin!.write('go\n');
    return Number(await line);
  };
  return { child, listen };
}

describe('PortWatch', () => {
  it('finds a running job’s listener, announces it once, and reads tables only when a socket is new', async () => {
    const { child, listen } = server();
    const startTicks = Number(readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19]);
    const job: Job = makeJob({ id: 1, spec: { command: { kind: 'adopted', argv: ['node'], leadsGroup: false } }, state: runningState({ startedAt: Date.now(), pid: child.pid, startTicks, shimPid: null }) });
    const table = new JobTable(store, { jobs: new Map<JobId, Job>([[1, job]]), nextId: 2 });
    const announced: ListeningPort[][] = [];
    let reads = 0;
    const watch = new PortWatch(table, (_job, ports) => announced.push(ports), {
      refreshMs: 1_000_000_000,
      readTables: (pid) => {
        reads++;
        return readSocketTables(pid);
      },
    });
    const snapshots = new ProcessSnapshots('ports-unit', null);
    const tick = async () => watch.update(await snapshots.take());

    await tick(); // its stdio pipes are sockets (libuv's socketpairs): classified once
    const settled = reads;
    await tick();
    expect(reads).toBe(settled);
    expect(table.get(1)?.ports).toBeUndefined();
    expect(announced).toEqual([]);

    const port = await listen();
    await tick();
    expect(reads).toBe(settled + 1);
    const want = [{ port, protocol: 'tcp', address: '127.0.0.1', pid: child.pid }];
    expect(table.get(1)?.ports).toEqual(want);
    expect(announced).toEqual([want]);

    await tick();
    expect(reads).toBe(settled + 1);
    expect(announced).toHaveLength(1);
  });

  it('a job that is not running has no ports: they go when its run ends', () => {
    const job: Job = makeJob({ id: 1, ports: [{ port: 3000, protocol: 'tcp', address: '::', pid: 5 }], state: runningState({ startedAt: Date.now(), pid: 5, startTicks: 1, shimPid: 6 }) });
    const table = new JobTable(store, { jobs: new Map<JobId, Job>([[1, job]]), nextId: 2 });
    new PortWatch(table, () => undefined);
    table.apply(1, { type: 'exited', at: Date.now(), exitCode: 0, signal: null, kill: null, forced: false });
    expect(table.get(1)?.state.kind).toBe('completed');
    expect(table.get(1)?.ports).toBeUndefined();
  });
});
