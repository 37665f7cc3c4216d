// The dashboard page's groups and queues, projects and stats grid in a real browser (Debian's
// chromium via playwright-core, headless) against a real daemon: the stats grid says what the
// daemon's `stats` says (also for finished jobs the page's list leaves out) and stays live; a group
// with parallel 1 and three jobs shows 1 running and 2 queued in order, and its counts follow a
// kill live; its actions pause/resume it and change its limit; a `procd up` project's entries show
// together with the file, and filter the table; a --read-only page has no group actions and the
// API refuses one. Screenshots: .test-tmp/artifacts/dashboard-groups.png, dashboard-groups-queue.png.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { recordPageProblems, startDashboard, stopAllDashboards, type Dashboard } from './helpers/dashboard.js';
import { expectExit, listJobs, parseJson, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO, '.test-tmp/artifacts');
const T = { timeout: 20_000 };
const FINISHED_BEFORE = 12;

interface Stats {
  states: Record<string, number>;
  flags: Record<string, number>;
}
interface Group {
  name: string;
  parallel: number | null;
  paused: boolean;
  running: number;
  queued: number;
}

let d: TestDaemon;
let dash: Dashboard;
let browser: Browser;
let page: Page;
const problems: string[] = [];

async function openPage(base: string, token: string): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  recordPageProblems(p, problems);
  const r = await p.goto(`${base}/?token=${token}`);
  expect(r?.status()).toBe(200);
  await p.locator('#connection[data-state="live"]').waitFor(T);
  return p;
}

async function daemonStats(): Promise<Stats> {
  const r = await d.cli(['stats', '--json']);
  expectExit(r, 0, 'stats --json');
  return parseJson<Stats>(r, 'stats');
}

async function daemonGroup(name: string): Promise<Group | undefined> {
  const r = await d.cli(['group', 'ls', '--json']);
  expectExit(r, 0, 'group ls --json');
  return parseJson<Group[]>(r, 'group ls').find((g) => g.name === name);
}

/** The grid's cells as numbers, by key. */
const grid = (p: Page): Promise<Record<string, number>> =>
  p.locator('#stats [data-key]').evaluateAll((cells) => Object.fromEntries(cells.map((c) => [c.getAttribute('data-key'), Number(c.querySelector('.stat-count')?.textContent)])));

/** What the grid should show for a stats answer (zombies and leftovers share a cell). */
function expectedGrid(s: Stats): Record<string, number> {
  const f = s.flags;
  return { ...s.states, time_sink: f.time_sink ?? 0, bottleneck: f.bottleneck ?? 0, stuck: f.stuck ?? 0, leftovers: (f.leftovers ?? 0) + (f.zombie ?? 0) };
}

/** Waits until the grid equals the daemon's stats (read again each time: the two are read at different moments). */
async function gridMatchesDaemon(p: Page, what: string): Promise<Record<string, number>> {
  let last = '';
  return waitFor(
    async () => {
      const [shown, want] = [await grid(p), expectedGrid(await daemonStats())];
      last = `grid ${JSON.stringify(shown)}\ndaemon ${JSON.stringify(want)}`;
      return JSON.stringify(Object.entries(shown).sort()) === JSON.stringify(Object.entries(want).sort()) ? shown : null;
    },
    { what: `${what}\n${last}`, timeoutMs: 20_000 },
  );
}

const card = (p: Page, group: string): Locator => p.locator(`#groups .group[data-group="${group}"]`);
const cardCounts = async (c: Locator) => ({ running: await c.getAttribute('data-running'), queued: await c.getAttribute('data-queued') });
const queueIds = (c: Locator) => c.locator('ol.queue li').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-id'))));

describe.skipIf(!existsSync(CHROMIUM))(`the dashboard page's groups, projects and stats in Chromium (needs ${CHROMIUM})`, () => {
  beforeAll(async () => {
    d = await startTestDaemon();
    // Finished before the page opens: more than the 10 recent finished jobs the page's list holds.
    const done = [];
    for (let i = 0; i < FINISHED_BEFORE; i++) done.push(await trackJob(d, ['--name', `done-${i}`, '--', 'true']));
    for (const job of done) expect((await waitForEnd(d, job.id)).state.kind).toBe('completed');
    dash = await startDashboard(d);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await openPage(dash.base, dash.token);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.stop();
    await stopAllDashboards();
    await d?.cleanup();
  });

  it("the stats grid shows the daemon's stats — also finished jobs the page's list leaves out — and stays live", async () => {
    await page.locator('#stats[data-loaded="true"]').waitFor(T);
    const shown = await gridMatchesDaemon(page, 'the grid to equal procd stats');
    expect(shown.completed).toBe(FINISHED_BEFORE);
    // The page's own list has fewer of them: the grid did not count the list.
    const listed = await page.locator('#jobs tbody tr[data-state="completed"]').count();
    expect(listed).toBeLessThan(FINISHED_BEFORE);
    await trackJob(d, ['--name', 'stats-live', '--', 'sleep', '300']);
    const after = await gridMatchesDaemon(page, 'the grid to count the new running job');
    expect(after.running).toBe(1);
  });

  it('a group with parallel 1 and three jobs shows 1 running and 2 queued in order; a kill changes the counts live', async () => {
    expectExit(await d.cli(['group', 'set', 'g1', '--parallel', '1']), 0, 'group set');
    const jobs = [];
    for (let i = 1; i <= 3; i++) jobs.push(await trackJob(d, ['--group', 'g1', '--name', `g1-${i}`, '--', 'sleep', '300']));
    const g1 = card(page, 'g1');
    await waitFor(async () => (await g1.count()) === 1 && (await g1.getAttribute('data-queued')) === '2', { what: 'group g1 with 2 queued on the page', timeoutMs: 20_000 });
    expect(await cardCounts(g1)).toEqual({ running: '1', queued: '2' });
    expect(await g1.locator('.group-slots').textContent()).toBe('1 of 1 running');
    expect(await queueIds(g1)).toEqual([jobs[1]!.id, jobs[2]!.id]);
    expect(await g1.locator('ol.queue li').first().textContent()).toContain('#1 waiting for a slot');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#groups-section').screenshot({ path: join(ARTIFACTS, 'dashboard-groups-queue.png') });
    // A job waiting for another: its reason names the dependency.
    const dep = await trackJob(d, ['--name', 'waits-for-g1', '--after', `${jobs[0]!.id}:ended`, '--', 'true']);
    const waiting = card(page, 'default').locator(`ol.queue li[data-id="${dep.id}"]`);
    await waiting.waitFor(T);
    expect(await waiting.textContent()).toContain(`waiting for after deps: ${jobs[0]!.id} (ended)`);

    expectExit(await d.cli(['kill', String(jobs[0]!.id)]), 0, 'kill');
    await waitFor(async () => JSON.stringify(await cardCounts(g1)) === JSON.stringify({ running: '1', queued: '1' }), { what: 'g1: 1 running, 1 queued after the kill', timeoutMs: 20_000 });
    expect(await queueIds(g1)).toEqual([jobs[2]!.id]);
    await waitFor(async () => (await card(page, 'default').locator(`ol.queue li[data-id="${dep.id}"]`).count()) === 0, { what: 'the dependant out of the queue', timeoutMs: 20_000 });
  });

  it("a group's buttons change its limit and pause/resume it (the daemon says so)", async () => {
    const g1 = card(page, 'g1');
    await g1.locator('input.group-parallel').fill('2');
    await g1.locator('button[data-action="limit"]').click(T);
    await waitFor(async () => (await daemonGroup('g1'))?.parallel === 2, { what: 'the daemon to say parallel 2', timeoutMs: 20_000 });
    await waitFor(async () => JSON.stringify(await cardCounts(g1)) === JSON.stringify({ running: '2', queued: '0' }), { what: 'g1: 2 running, none queued', timeoutMs: 20_000 });
    await g1.locator('button[data-action="toggle"]', { hasText: 'pause' }).click(T);
    await waitFor(async () => (await daemonGroup('g1'))?.paused === true, { what: 'the daemon to say g1 is paused', timeoutMs: 20_000 });
    await g1.locator('button[data-action="toggle"]', { hasText: 'resume' }).waitFor(T);
    expect(await g1.getAttribute('data-paused')).toBe('true');
    await g1.locator('button[data-action="toggle"]').click(T);
    await waitFor(async () => (await daemonGroup('g1'))?.paused === false, { what: 'the daemon to say g1 runs again', timeoutMs: 20_000 });
  });

  it("a `procd up` project's entries show together with their file, and filter the table", async () => {
    const dir = join(d.home, 'projects', 'shop');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'procd.yaml');
    writeFileSync(file, 'name: shop\njobs:\n  db:\n    command: [sleep, "300"]\n  api:\n    command: [sleep, "301"]\n    after: ["db:started"]\n  worker:\n    shell: "exec sleep 302"\n    after: ["api:started"]\n');
    expectExit(await d.cli(['up', '--json'], { cwd: dir }), 0, 'up');
    const project = page.locator('#projects .project[data-project="shop"]');
    await project.waitFor(T);
    const entries = project.locator('tbody tr');
    await waitFor(async () => (await entries.count()) === 3 && (await project.locator('tbody td.state', { hasText: 'running' }).count()) === 3, { what: 'three running entries of shop', timeoutMs: 30_000 });
    expect(await entries.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-entry')))).toEqual(['db', 'api', 'worker']);
    expect(await project.locator('tbody td.after').allTextContents()).toEqual(['', 'db (started)', 'api (started)']);
    expect(await project.locator('.project-file').textContent()).toBe(file);
    expect(await project.locator('.project-summary').textContent()).toBe('3 entries: 3 running');
    const ids = (await listJobs(d, ['--project', 'shop'])).map((j) => j.id).sort((a, b) => a - b);
    expect(await entries.evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))))).toEqual(ids);

    await project.locator('button.project-filter').click(T);
    expect(await page.locator('#filter').inputValue()).toBe('project:shop');
    expect((await page.locator('#jobs tbody tr td.name').allTextContents()).sort()).toEqual(['shop/api', 'shop/db', 'shop/worker']);
    await page.locator('#filter').fill('');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-groups.png'), fullPage: true });
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('read-only: groups are shown without actions, and the API refuses a group change', async () => {
    const ro = await startDashboard(d, ['--read-only']);
    try {
      const p = await openPage(ro.base, ro.token);
      await card(p, 'g1').waitFor(T);
      expect(await p.locator('#groups .group-actions, #groups button').count()).toBe(0);
      const refused = await p.evaluate(async () => {
        const s = (await (await fetch('/api/session')).json()) as { csrfToken: string };
        const r = await fetch('/api/groups/g1', { method: 'POST', headers: { 'X-Procd-Token': s.csrfToken, 'Content-Type': 'application/json' }, body: '{"paused":true}' });
        return r.status;
      });
      expect(refused).toBe(403);
      await p.close();
      expect((await daemonGroup('g1'))?.paused).toBe(false);
      expect(problems.filter((m) => !m.includes('403')), problems.join('\n')).toEqual([]);
    } finally {
      await ro.stop();
    }
  });
});
