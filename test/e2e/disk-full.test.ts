// A daemon whose disk refuses writes (a file-size limit on it here, a full disk in life): a
// change it cannot save is answered with StorageFailed, it keeps answering, `daemon stop`
// still ends it and releases the home, and every job it acknowledged is there afterwards.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/job.js';
import { CLI, processGone, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { listJobs, parseJson } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
let limited: ChildProcess | undefined;
afterEach(async () => {
  limited?.kill('SIGKILL');
  limited = undefined;
  await d?.cleanup();
  d = undefined;
});

describe('disk full', () => {
  it.skipIf(!existsSync('/usr/bin/prlimit'))('StorageFailed for what cannot be saved; the daemon keeps answering, stops cleanly and loses nothing acknowledged', async () => {
    d = await startTestDaemon({ autostartOnly: true });
    limited = spawn('/usr/bin/prlimit', ['--fsize=40000', process.execPath, CLI, 'daemon', 'run'], { env: d.env, stdio: 'ignore' });
    await waitFor(async () => (await d!.cli(['daemon', 'status', '--no-autostart'])).code === 0, { what: 'the limited daemon' });
    const acknowledged: number[] = [];
    let refusal = '';
    for (let i = 0; i < 300 && !refusal; i++) {
      const r = await d.cli(['track', '--json', '--no-autostart', '--', 'true']);
      if (r.code === 0) acknowledged.push(parseJson<Job>(r, 'track --json').id);
      else refusal = r.stderr;
    }
    expect(refusal).toMatch(/could not save job records.*\[StorageFailed -32011\]/);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect((await d.cli(['ls', '--all', '--json', '--no-autostart'])).code).toBe(0);

    const stop = await d.cli(['daemon', 'stop', '--no-autostart'], { timeoutMs: 30_000 });
    expect(stop.code).toBe(0);
    await waitFor(() => limited!.exitCode !== null || processGone(limited!.pid!), { what: 'the limited daemon to exit', timeoutMs: 20_000 });
    // a new daemon (no limit) can take the home: the old one released it
    const jobs = await listJobs(d, ['--all']);
    const ids = jobs.map((j) => j.id);
    for (const id of acknowledged) expect(ids).toContain(id);
  });
});
