// `procd logs -f` behaves like `tail -f` at both ends of a pipe: it ends as soon as its reader goes
// away (exit 141) even while the job writes nothing, and on a terminal it says how the job ended.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { jobStatus, trackJob } from './helpers/jobs.js';
import { exited, GroupRuns, type GroupRun } from './helpers/group-runs.js';

let d: TestDaemon;
const runs = new GroupRuns();
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  runs.killAll();
  await d?.cleanup();
});

/** Runs a bash command line in its own process group, with the test daemon's environment. */
const bash = (script: string): GroupRun => runs.start({ ...d.env, PROCD_CLI: CLI }, 'bash', ['-c', script]);

describe('logs --follow', () => {
  it('ends as soon as its reader does, while the job writes nothing more (exit 141, like tail -f)', async () => {
    const job = await trackJob(d, ['--name', 'dev', '--shell', 'echo starting; echo listening on 3000; exec sleep 600']);
    const run = bash('node "$PROCD_CLI" logs dev -f | grep -m1 listening; echo "logs=${PIPESTATUS[0]} grep=${PIPESTATUS[1]}"');
    expect(await exited(run, 'the pipeline to end once grep found its match')).toBe(0);
    expect(run.stdout()).toBe('listening on 3000\nlogs=141 grep=0\n');
    expect(run.stderr()).toBe('');
    // Only the reader went away: the job keeps running.
    expect((await jobStatus(d, job.id)).state.kind).toBe('running');
  });

  it('ends when the socket it writes to is closed by its reader', async () => {
    await trackJob(d, ['--name', 'quiet', '--shell', 'echo ready; exec sleep 600']);
    // A child's stdio from node is a socket pair, not a pipe: the other kind of stdout a reader can close.
    const run = runs.start(d.env, process.execPath, [CLI, 'logs', 'quiet', '-f']);
    await new Promise<void>((resolve) => run.child.stdout!.once('data', () => resolve()));
    run.child.stdout!.destroy();
    expect(await exited(run, 'logs -f to end once its stdout was closed')).toBe(141);
  });

  it('says how the job ended on a terminal, and only there', async () => {
    const r = await d.cli(['track', '--wait', '--name', 'three', '--shell', 'echo out; exit 3']);
    expect(r.code).toBe(3);
    // script(1) gives the CLI a real terminal (util-linux; present on Debian and its images).
    const tty = bash('script -qec "node \\"$PROCD_CLI\\" logs three -f" /dev/null < /dev/null');
    expect(await exited(tty, 'logs -f on a terminal to end')).toBe(0);
    expect(tty.stdout().replace(/\r/g, '')).toBe('out\nprocd logs: job 1 (three) failed, exit 3\n');
    const piped = await d.cli(['logs', 'three', '-f']);
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe('out\n');
    expect(piped.stderr).toBe('');
  });
});
