// rm and prune: every job given that can be removed is, the others are reported (exit 1);
// --dry-run shows what would be removed and removes (and stops) nothing.

import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RemoveResult } from '../../shared/methods.js';
import { pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobStatus, listJobs, parseJson, pidOf, trackJob, waitForEnd } from './helpers/jobs.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  await d?.cleanup();
});

async function finished(name: string): Promise<number> {
  const job = await trackJob(d, ['--name', name, '--', 'true']);
  await waitForEnd(d, job.id);
  return job.id;
}

describe('rm and prune', () => {
  it('rm A B C removes every finished job given and reports the running and unknown ones (exit 1)', async () => {
    const a = await finished('ra');
    const live = await trackJob(d, ['--name', 'rlive', '--', 'sleep', '1020']);
    const c = await finished('rc');
    const r = await d.cli(['rm', 'ra', 'rlive', 'nosuch', String(c)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`removed 2 jobs: ${a} ${c}`);
    expect(r.stderr).toMatch(/job 2 \(rlive\) is running; stop it first or use --force \[JobStillRunning -32002\]/);
    expect(r.stderr).toMatch(/no job named or numbered nosuch \[JobNotFound -32000\]/);
    expect((await listJobs(d, ['--all'])).map((j) => j.id)).toEqual([live.id]);
    expect(pidAlive(pidOf(live))).toBe(true);
    const json = await d.cli(['rm', '--json', 'rlive']);
    expect(json.code).toBe(1);
    expect(parseJson<RemoveResult>(json, 'rm --json')).toMatchObject({ dryRun: false, removed: [], failed: [{ ref: 'rlive', ok: false, id: live.id, error: { name: 'JobStillRunning' } }] });
  });

  it('rm --dry-run shows what would be removed (and stopped) and changes nothing', async () => {
    const a = await finished('da');
    const live = await trackJob(d, ['--name', 'dlive', '--', 'sleep', '1021']);
    const dirA = (await jobStatus(d, a)).dir;
    const r = await d.cli(['rm', '--dry-run', '--force', 'da', 'dlive']);
    expectExit(r, 0, 'rm --dry-run --force');
    expect(r.stdout).toContain('would remove 2 jobs');
    expect(r.stdout).toMatch(new RegExp(`${live.id}  dlive  running \\(would be stopped first\\)`));
    const json = parseJson<RemoveResult>(await d.cli(['rm', '-n', '--json', 'da']), 'rm -n --json');
    expect(json).toEqual({ dryRun: true, removed: [a], jobs: [{ id: a, name: 'da', state: 'completed' }], failed: [] });
    expect((await listJobs(d, ['--all'])).map((j) => j.id)).toEqual([a, live.id]);
    expect(existsSync(dirA)).toBe(true);
    expect(pidAlive(pidOf(live))).toBe(true);
  });

  it('prune --dry-run lists the finished jobs it would remove and removes none; prune then removes them', async () => {
    const a = await finished('pa');
    const b = await finished('pb');
    const live = await trackJob(d, ['--name', 'plive', '--', 'sleep', '1022']);
    const dry = await d.cli(['prune', '--dry-run']);
    expectExit(dry, 0, 'prune --dry-run');
    expect(dry.stdout).toContain('would remove 2 jobs');
    expect(dry.stdout).toMatch(new RegExp(`${a}  pa  completed`));
    expect((await listJobs(d, ['--all'])).map((j) => j.id)).toEqual([a, b, live.id]);
    const real = parseJson<RemoveResult>(await d.cli(['prune', '--json']), 'prune --json');
    expect(real).toMatchObject({ dryRun: false, removed: [a, b] });
    expect((await listJobs(d, ['--all'])).map((j) => j.id)).toEqual([live.id]);
  });
});
