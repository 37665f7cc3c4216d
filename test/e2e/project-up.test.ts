// `procd up` / `procd down` with real daemons: idempotent up, a changed entry restarts only itself
// and what waits for it (asserted by which job ids were replaced, not by the daemon's ordering), a
// broken file starts nothing, two projects with an `api` each coexist, down stops dependants first.

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpReport } from '../../client/cli/commands/up.js';
import { isTerminal } from '../../shared/job.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobStatus, listJobs, parseJson } from './helpers/jobs.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

interface UpAnswer {
  project: string;
  entries: UpReport[];
}

function projectDir(name: string, yaml: string): string {
  const dir = join(d!.home, 'projects', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'procd.yaml'), yaml);
  return dir;
}

async function up(dir: string, args: string[] = []): Promise<UpAnswer> {
  return parseJson<UpAnswer>(await d!.cli(['up', '--json', ...args], { cwd: dir }), `up ${args.join(' ')}`);
}
const byEntry = (a: UpAnswer) => Object.fromEntries(a.entries.map((e) => [e.entry, e]));

// db ← api ← worker; cron on its own. `started` conditions: met as soon as the dependency runs.
const SHOP = (port: number) => `name: shop
jobs:
  db:
    command: [sleep, "412001"]
  api:
    command: [sleep, "412002"]
    env:
      PORT: ${port}
    after: ["db:started"]
    service: true
  worker:
    shell: "exec sleep 412003"
    after: ["api:started"]
  cron:
    command: [sleep, "412004"]
`;

describe('procd up', () => {
  it('twice is idempotent: the second changes nothing and says so', async () => {
    d = await startTestDaemon();
    const dir = projectDir('shop', SHOP(3000));
    const first = await up(dir);
    expect(first.entries.map((e) => [e.name, e.action])).toEqual([['shop/db', 'started'], ['shop/api', 'started'], ['shop/worker', 'started'], ['shop/cron', 'started']]);
    // The load is kept (project-cache.ts): the second up, and the third, come from it, the same answer.
    expect(readdirSync(join(d.home, 'cache', 'projects'))).toHaveLength(1);
    const second = await up(dir);
    expect(second.entries.map((e) => e.action)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(second.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
    const text = await d.cli(['up'], { cwd: dir });
    expectExit(text, 0, 'up');
    expect(text.stdout).toContain('shop: nothing to do');
    const jobs = await listJobs(d, ['--all']);
    expect(jobs.map((j) => j.name).sort()).toEqual(['shop/api', 'shop/cron', 'shop/db', 'shop/worker']);
    expect(jobs.every((j) => j.spec.declared?.project === 'shop')).toBe(true);
  });

  it('a changed entry restarts only itself and its dependants, and says what changed', async () => {
    d = await startTestDaemon();
    const dir = projectDir('shop', SHOP(3000));
    const before = byEntry(await up(dir));
    writeFileSync(join(dir, 'procd.yaml'), SHOP(3001));
    const after = byEntry(await up(dir));
    expect(after.db).toMatchObject({ action: 'unchanged', id: before.db!.id });
    expect(after.cron).toMatchObject({ action: 'unchanged', id: before.cron!.id });
    expect(after.api).toMatchObject({ action: 'restarted', replaced: before.api!.id, changed: ['env.PORT'] });
    expect(after.worker).toMatchObject({ action: 'restarted', replaced: before.worker!.id, dependency: 'api' });
    expect(after.api!.id).not.toBe(before.api!.id);
    expect(after.worker!.id).not.toBe(before.worker!.id);
    // The replaced jobs have ended; the new api runs with the new value.
    for (const id of [before.api!.id!, before.worker!.id!]) expect(isTerminal((await jobStatus(d, id)).state)).toBe(true);
    const api = parseJson<{ spec: { env: Record<string, string> } }>(await d.cli(['status', String(after.api!.id), '--env', '--json']), 'status');
    expect(api.spec.env.PORT).toBe('3001');
    const text = await d.cli(['up', '--dry-run'], { cwd: dir });
    expect(text.stdout).toContain('nothing to do');
  });

  it('up NAME starts that entry and what it waits for only', async () => {
    d = await startTestDaemon();
    const dir = projectDir('shop', SHOP(3000));
    const a = await up(dir, ['api']);
    expect(a.entries.map((e) => [e.entry, e.action])).toEqual([['db', 'started'], ['api', 'started']]);
    expect((await listJobs(d, ['--all'])).map((j) => j.name).sort()).toEqual(['shop/api', 'shop/db']);
  });

  it.each([
    ['a cycle', 'jobs:\n  a:\n    command: [sleep, "412010"]\n    after: [b]\n  b:\n    command: [sleep, "412011"]\n    after: [a]\n', 'procd.yaml:4: jobs.a.after: a cycle: a → b → a'],
    ['an unknown key', 'jobs:\n  a:\n    command: [sleep, "412012"]\n  b:\n    command: [sleep, "412013"]\n    restrat: always\n', 'procd.yaml:6: jobs.b.restrat: unknown key; did you mean restart?'],
  ])('%s is rejected naming file, line and key, with nothing started', async (_what, yaml, message) => {
    d = await startTestDaemon();
    const dir = projectDir('bad', yaml);
    const r = await d.cli(['up'], { cwd: dir });
    expectExit(r, 2, 'up');
    expect(r.stderr).toContain(message);
    // down reads the file the same way (through cli.js's code cache): the same refusal, nothing called.
    const down = await d.cli(['down'], { cwd: dir });
    expectExit(down, 2, 'down');
    expect(down.stderr).toContain(message);
    expect(await listJobs(d, ['--all'])).toEqual([]);
  });

  it('two projects with an api each coexist; down of one leaves the other; ls --project shows one', async () => {
    d = await startTestDaemon();
    const api = (n: number) => `jobs:\n  api:\n    command: [sleep, "${n}"]\n`;
    const shop = projectDir('shop', api(412020));
    const blog = projectDir('blog', api(412021));
    expect((await up(shop)).entries.map((e) => e.name)).toEqual(['shop/api']);
    expect((await up(blog)).entries.map((e) => e.name)).toEqual(['blog/api']);
    const running = (await listJobs(d)).filter((j) => j.state.kind === 'running').map((j) => j.name).sort();
    expect(running).toEqual(['blog/api', 'shop/api']);
    expect((await listJobs(d, ['--project', 'blog'])).map((j) => j.name)).toEqual(['blog/api']);
    const here = await d.cli(['ls', '--project', '--json'], { cwd: shop });
    expect(parseJson<{ name: string }[]>(here, 'ls --project').map((j) => j.name)).toEqual(['shop/api']);
    expectExit(await d.cli(['down'], { cwd: shop }), 0, 'down');
    const after = await listJobs(d, ['--all']);
    expect(after.find((j) => j.name === 'blog/api')?.state.kind).toBe('running');
    expect(isTerminal(after.find((j) => j.name === 'shop/api')!.state)).toBe(true);
  });
});

describe('procd down', () => {
  it('stops dependants first: each layer has ended before the next is stopped', async () => {
    d = await startTestDaemon();
    // The worker takes a while to stop (its TERM trap sleeps); stopped all at once, api and db would end first.
    const dir = projectDir('shop', `name: shop
jobs:
  db:
    command: [sleep, "412031"]
  api:
    command: [sleep, "412032"]
    after: ["db:started"]
  worker:
    shell: "trap 'sleep 0.5; exit 0' TERM; while :; do sleep 0.1; done"
    after: ["api:started"]
`);
    const started = byEntry(await up(dir));
    const r = await d.cli(['down', '--json'], { cwd: dir });
    const answer = parseJson<{ stopped: { entry: string; id: number }[] }>(r, 'down');
    expect(answer.stopped.map((s) => s.entry)).toEqual(['worker', 'api', 'db']);
    const ended = async (entry: string) => {
      const s = (await jobStatus(d!, started[entry]!.id!)).state;
      if (!isTerminal(s)) throw new Error(`${entry} has not ended after down`);
      return s.endedAt;
    };
    const [worker, api, db] = [await ended('worker'), await ended('api'), await ended('db')];
    expect(worker).toBeLessThanOrEqual(api);
    expect(api).toBeLessThanOrEqual(db);
    expect((await d.cli(['down'], { cwd: dir })).stdout).toContain('nothing to stop');
  });

  it('keeps that order through an entry that is not running: what waits for it ends before what it waits for', async () => {
    d = await startTestDaemon();
    // worker waits for api, api for db; api is stopped by hand before down. worker takes a while to stop.
    const dir = projectDir('shop', `name: shop
jobs:
  db:
    command: [sleep, "412033"]
  api:
    command: [sleep, "412034"]
    after: ["db:started"]
  worker:
    shell: "trap 'sleep 0.5; exit 0' TERM; while :; do sleep 0.1; done"
    after: ["api:started"]
`);
    const started = byEntry(await up(dir));
    expectExit(await d.cli(['kill', 'shop/api']), 0, 'kill shop/api');
    const answer = parseJson<{ stopped: { entry: string; id: number }[] }>(await d.cli(['down', '--json'], { cwd: dir }), 'down');
    expect(answer.stopped.map((s) => [s.entry, s.id])).toEqual([
      ['worker', started.worker!.id],
      ['db', started.db!.id],
    ]);
    const endedAt = async (entry: string) => {
      const s = (await jobStatus(d!, started[entry]!.id!)).state;
      if (!isTerminal(s)) throw new Error(`${entry} has not ended after down`);
      return s.endedAt;
    };
    expect(await endedAt('worker')).toBeLessThanOrEqual(await endedAt('db'));
  });
});
