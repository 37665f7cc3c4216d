// Output the disk refused is counted and shown, never silently missing: a job whose first
// output segment cannot be created (a directory sits where the file should go) loses those
// bytes, says how many (status, logs), and keeps what it writes once the disk takes it again.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { jobStatus, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

describe('output the disk refused', () => {
  it('is counted in output.lostBytes, shown by status and noted by logs; later output is kept', async () => {
    d = await startTestDaemon();
    const go = (name: string) => join(d!.home, name);
    const script = `while [ ! -e ${go('one')} ]; do sleep 0.05; done; echo lost; while [ ! -e ${go('two')} ]; do sleep 0.05; done; echo kept`;
    const job = await trackJob(d, ['--shell', script]);
    const blocker = join(job.dir, 'out', 'stdout.0000000000000000');
    mkdirSync(blocker, { recursive: true });
    mkdirSync(go('one'));
    const status = () => jobStatus(d!, job.id);
    await waitFor(async () => (await status()).output.lostBytes === 5, { what: 'the loss to be counted while the job runs' });
    expect((await d.cli(['status', String(job.id)])).stdout).toMatch(/^lost output\s+5B: the disk refused them/m);
    rmSync(blocker, { recursive: true });
    mkdirSync(go('two'));
    expect((await d.cli(['wait', String(job.id)])).code).toBe(0);
    expect((await status()).output).toMatchObject({ stdoutBytes: 5, lostBytes: 5 });
    const logs = await d.cli(['logs', String(job.id)]);
    expect(logs.stdout).toBe('kept\n');
    expect(logs.stderr).toMatch(/5 bytes of output were lost: the disk refused them/);
  });
});
