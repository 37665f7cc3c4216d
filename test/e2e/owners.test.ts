// Every job records its owner (track --owner, else PROCD_OWNER, else the client's name from
// hello; the client's pid and parent process name from hello), and an owner's jobs can be listed,
// stopped (kill --owner) and reaped at the end of a session (cleanup --owner) without touching
// anyone else's. An old state.json, from before owners, still loads.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job, JobView } from '../../shared/job.js';
import type { CleanupResult, KillOutcome } from '../../shared/methods.js';
import { pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobStatus, listJobs, parseJson, pidOf, trackJob } from './helpers/jobs.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

/** No PROCD_OWNER from the environment the tests run in (an empty one counts as unset). */
const NO_OWNER_ENV = { PROCD_OWNER: '' };
const as = (owner: string) => ({ env: { PROCD_OWNER: owner } });

async function trackAs(t: TestDaemon, owner: string, args: string[]): Promise<JobView> {
  const r = await t.cli(['track', '--json', ...args], as(owner));
  expectExit(r, 0, `track as ${owner}`);
  return parseJson<JobView>(r, 'track');
}

describe('the owner of a job', () => {
  it('is --owner, else PROCD_OWNER, else the client name from hello; with the client pid and parent name', async () => {
    d = await startTestDaemon({ env: NO_OWNER_ENV });
    const flagged = await d.cli(['track', '--json', '--owner', 'agent-a', '--', 'sleep', '300'], as('from-env'));
    expectExit(flagged, 0, 'track --owner');
    const fromEnv = await trackAs(d, 'from-env', ['--', 'sleep', '301']);
    const fromHello = await trackJob(d, ['--', 'sleep', '302']);
    // The CLI is a child of this test process: its parent's name is ours.
    const parentName = process.platform === 'linux' ? readFileSync('/proc/self/comm', 'utf8').trim() : null;
    expect(parseJson<JobView>(flagged, 'track').owner).toMatchObject({ name: 'agent-a', parentName });
    expect(fromEnv.owner).toMatchObject({ name: 'from-env', parentName });
    expect(fromHello.owner).toMatchObject({ name: 'procd-cli', parentName });
    expect(fromHello.owner?.pid).toEqual(expect.any(Number));

    // A library client: its own name (without its version) and its own pid.
    const c = await (await import('../../client/index.js')).connect({ paths: d.paths, autostart: false, clientName: 'my-agent/1.2.3' });
    try {
      const job = await c.track({ argv: ['sleep', '303'], cwd: '/' });
      expect(job.owner).toMatchObject({ name: 'my-agent', pid: process.pid });
    } finally {
      c.close();
    }
    // Status shows it; JSON has it.
    const status = await d.cli(['status', String(fromEnv.id)]);
    expect(status.stdout).toMatch(new RegExp(`owner\\s+from-env \\(pid ${fromEnv.owner!.pid}`));
    expect((await jobStatus(d, fromEnv.id)).owner?.name).toBe('from-env');
  });

  it('a PROCD_OWNER that is no owner name is refused naming the variable, and starts nothing', async () => {
    d = await startTestDaemon({ env: NO_OWNER_ENV });
    for (const [value, why] of [['bad\tvalue', /contains a control character/], ['x'.repeat(300), /is 300 characters long \(at most 200\)/]] as const) {
      const r = await d.cli(['track', '--', 'sleep', '300'], as(value));
      expectExit(r, 2, 'track with a bad PROCD_OWNER');
      expect(r.stderr).toMatch(/PROCD_OWNER in the environment/);
      expect(r.stderr).toMatch(why);
    }
    expect(await listJobs(d, ['--all'])).toEqual([]);
  });

  it('is recorded for adopted jobs', async () => {
    d = await startTestDaemon({ env: NO_OWNER_ENV });
    const { spawn } = await import('node:child_process');
    const stray = spawn('sleep', ['300'], { stdio: 'ignore', detached: true });
    try {
      const r = await d.cli(['adopt', String(stray.pid), '--json'], as('agent-x'));
      expectExit(r, 0, 'adopt');
      expect(parseJson<JobView>(r, 'adopt').owner?.name).toBe('agent-x');
    } finally {
      stray.kill('SIGKILL');
    }
  });

  it('ls --owner lists only that owner; the OWNER column shows once two owners are listed', async () => {
    d = await startTestDaemon({ env: NO_OWNER_ENV });
    const a = await trackAs(d, 'agent-a', ['--', 'sleep', '300']);
    const one = await d.cli(['ls']);
    expect(one.stdout.split('\n')[0]).not.toMatch(/OWNER/);
    const b = await trackAs(d, 'agent-b', ['--', 'sleep', '301']);
    const two = await d.cli(['ls']);
    expect(two.stdout.split('\n')[0]).toMatch(/\bOWNER\b/);
    expect(two.stdout).toMatch(new RegExp(`^${a.id}\\s.*agent-a\\s+sleep 300$`, 'm'));
    expect(two.stdout).toMatch(new RegExp(`^${b.id}\\s.*agent-b\\s+sleep 301$`, 'm'));
    expect((await listJobs(d, ['--owner', 'agent-a'])).map((j) => j.id)).toEqual([a.id]);
    const filtered = await d.cli(['ls', '--owner', 'agent-b']);
    expect(filtered.stdout.split('\n')[0]).not.toMatch(/OWNER/);
    expect((await listJobs(d, ['--owner', 'nobody'])).length).toBe(0);
  });

  it('kill --owner stops every live job of that owner and nothing else', async () => {
    d = await startTestDaemon({ env: NO_OWNER_ENV });
    const a1 = await trackAs(d, 'agent-a', ['--', 'sleep', '300']);
    const a2 = await trackAs(d, 'agent-a', ['--shell', 'sleep 301']);
    const b = await trackAs(d, 'agent-b', ['--', 'sleep', '302']);
    const r = await d.cli(['kill', '--owner', 'agent-a', '--json']);
    expectExit(r, 0, 'kill --owner');
    expect(parseJson<KillOutcome[]>(r, 'kill').map((k) => [k.ok, k.ok && k.id])).toEqual([[true, a1.id], [true, a2.id]]);
    expect(pidAlive(pidOf(a1))).toBe(false);
    expect(pidAlive(pidOf(a2))).toBe(false);
    expect(pidAlive(pidOf(b))).toBe(true);
    expect((await jobStatus(d, b.id)).state.kind).toBe('running');
    // Nothing left of that owner: nothing to stop, not an error.
    const again = await d.cli(['kill', '--owner', 'agent-a']);
    expectExit(again, 0, 'kill --owner again');
    expect(again.stdout).toMatch(/no live jobs of owner agent-a/);
    // Neither jobs nor an owner: a usage error.
    expect((await d.cli(['kill'])).code).toBe(2);
  });

  it("cleanup --owner stops that owner's live jobs and prunes only its records; another owner's jobs keep running", async () => {
    d = await startTestDaemon({ env: NO_OWNER_ENV });
    const a1 = await trackAs(d, 'agent-a', ['--', 'sleep', '300']);
    const a2 = await trackAs(d, 'agent-a', ['--name', 'srv', '--service', '--', 'sleep', '301']);
    const b = await trackAs(d, 'agent-b', ['--', 'sleep', '302']);
    const bDone = await trackAs(d, 'agent-b', ['--wait', '--', 'true']);
    const dry = parseJson<CleanupResult>(await d.cli(['cleanup', '--owner', 'agent-a', '--dry-run', '--json']), 'cleanup --dry-run');
    expect(dry.stopped).toBeUndefined();
    // The dry run names the live jobs it would stop (agent-a's only), and stops none of them.
    expect(dry.wouldStop?.map((j) => [j.id, j.state])).toEqual([[a1.id, 'running'], [a2.id, 'running']]);
    const dryText = await d.cli(['cleanup', '--owner', 'agent-a', '--dry-run']);
    expectExit(dryText, 0, 'cleanup --dry-run (text)');
    expect(dryText.stdout).toMatch(/would stop: 2 live jobs of agent-a\n {2}job \d+ \S+ running\n {2}job \d+ srv running/);
    expect(pidAlive(pidOf(a1))).toBe(true);

    const r = await d.cli(['cleanup', '--owner', 'agent-a', '--retention', '0s', '--json']);
    expectExit(r, 0, 'cleanup --owner');
    const result = parseJson<CleanupResult>(r, 'cleanup');
    expect(result.stopped?.map((k) => k.ok && k.id)).toEqual([a1.id, a2.id]);
    expect(pidAlive(pidOf(a1))).toBe(false);
    expect(pidAlive(pidOf(a2))).toBe(false);
    expect(pidAlive(pidOf(b))).toBe(true);
    // With a retention of 0 the stopped jobs' records go; agent-b's finished job is not agent-a's to prune.
    expect(result.pruned).toEqual([a1.id, a2.id]);
    const left = await listJobs(d, ['--all']);
    expect(left.map((j) => [j.id, j.state.kind])).toEqual([[b.id, 'running'], [bDone.id, 'completed']]);
  });
});

describe('jobs from a project file', () => {
  it('get an owner too: PROCD_OWNER, else the CLI', async () => {
    d = await startTestDaemon({ env: NO_OWNER_ENV });
    const dir = join(d.home, 'proj');
    mkdirSync(dir);
    writeFileSync(join(dir, 'procd.yaml'), 'name: proj\njobs:\n  a:\n    command: [sleep, "300"]\n');
    expectExit(await d.cli(['up'], { cwd: dir, env: { PROCD_OWNER: 'agent-up' } }), 0, 'up');
    const [job] = await listJobs(d, ['--project', 'proj']);
    expect(job?.owner?.name).toBe('agent-up');
    expectExit(await d.cli(['kill', '--owner', 'agent-up']), 0, 'kill --owner');
  });
});

describe('an old state.json, from before owners', () => {
  it('loads: its jobs have no owner, new jobs get one, and the filters work over both', async () => {
    d = await startTestDaemon({ autostartOnly: true, env: NO_OWNER_ENV });
    const old = {
      id: 1,
      name: 'old',
      createdAt: 1_000,
      spec: { command: { kind: 'argv', argv: ['true'] }, cwd: '/', env: {}, timeoutMs: null, expectMs: null, stuckAfterMs: 0, maxOutputBytes: 4096 },
      state: { kind: 'completed', startedAt: 1, endedAt: 2, durationMs: 1, exitCode: 0, signal: null },
      dir: '/nonexistent/jobs/1',
    };
    writeFileSync(join(d.home, 'state.json'), JSON.stringify({ format: 1, savedAt: 0, journalSeq: 0, nextId: 2, jobs: [old] }));
    expectExit(await d.cli(['daemon', 'start']), 0, 'daemon start');
    const [loaded] = await listJobs(d, ['--all']);
    expect(loaded).toMatchObject({ id: 1, name: 'old', state: { kind: 'completed' } });
    expect(loaded!.owner).toBeUndefined();
    const fresh = await trackAs(d, 'agent-a', ['--', 'sleep', '300']);
    expect((await listJobs(d, ['--all', '--owner', 'agent-a'])).map((j: Job | JobView) => j.id)).toEqual([fresh.id]);
    const ls = await d.cli(['ls', '--all']);
    expect(ls.stdout).toMatch(/^1\s.*\s-\s+true$/m);
    expectExit(await d.cli(['kill', '--owner', 'agent-a']), 0, 'kill --owner');
  });
});
