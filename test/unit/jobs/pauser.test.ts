// The pauser's failure path, with a directory standing in for the job's cgroup: a freeze the
// kernel never reports is given up after the bound, thawed again, answered PauseFailed, and the
// job is running again with its timeout re-armed (nothing is left half-paused).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../shared/job.js';
import { Deadlines } from '../../../daemon/jobs/deadlines.js';
import { JobTable } from '../../../daemon/jobs/job-table.js';
import { FREEZE_WAIT_MS, Pauser } from '../../../daemon/jobs/pauser.js';
import type { SupervisorContext } from '../../../daemon/jobs/supervisor-context.js';
import { ProcessSnapshots } from '../../../daemon/monitor/job-processes.js';
import { makeSpec } from '../../helpers/job-factory.js';
import { memoryStore } from '../../helpers/stand-ins.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

describe('Pauser', () => {
  it('a freeze never reported frozen: PauseFailed, thawed, running again with its timeout re-armed', async () => {
    root = mkdtempSync(join(tmpdir(), 'procd-pauser-'));
    const table = new JobTable(memoryStore, { jobs: new Map(), nextId: 1 });
    const ctx: SupervisorContext = {
      table,
      store: memoryStore,
      logger: pino({ level: 'silent' }),
      opts: { jobsDir: root, instance: 'unit-pauser', cgroupRoot: root, defaultGraceMs: 1000, defaultMaxOutputBytes: 4096, defaultStuckAfterMs: 0, pollMs: 1000 },
      deadlines: new Deadlines(),
      persistQuietly: async () => undefined,
    };
    const armed: Job[] = [];
    const pauser = new Pauser(ctx, new ProcessSnapshots('unit-pauser', root), { settleStarts: async () => undefined, armTimeout: (job) => armed.push(job), stopping: () => false });
    const { id } = table.create({ name: 'stuck-in-d', description: null, tags: [], spec: makeSpec({ timeoutMs: 60_000 }), dirFor: () => join(root!, 'jobs'), cgroupFor: (n) => `job-${n}` });
    table.apply(id, { type: 'launch', at: Date.now() });
    table.apply(id, { type: 'started', at: Date.now(), pid: 2 ** 22 + 7, startTicks: 1, shimPid: null });
    // The job's "cgroup": populated, and the kernel never reports it frozen.
    const cg = join(root, `job-${id}`);
    mkdirSync(cg);
    writeFileSync(join(cg, 'cgroup.freeze'), '0');
    writeFileSync(join(cg, 'cgroup.events'), 'populated 1\nfrozen 0\n');
    writeFileSync(join(cg, 'cgroup.procs'), '');

    const [outcome] = await pauser.request([id], 'pause');
    expect(outcome).toMatchObject({ ok: false, id, error: { name: 'PauseFailed', data: { id, cgroup: cg } } });
    expect(readFileSync(join(cg, 'cgroup.freeze'), 'utf8')).toBe('0'); // thawed again
    expect(table.get(id)?.state.kind).toBe('running');
    expect(armed.map((j) => j.state.kind)).toEqual(['running']);
  }, FREEZE_WAIT_MS + 15_000);
});
