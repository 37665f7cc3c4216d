// The job table on a busy page, in a real browser (Debian's chromium via playwright-core, headless),
// against a real daemon sampling every 100 ms: a row and its buttons stay the same DOM nodes across
// renders (a click whose mousedown and mouseup straddle a render still acts), and kill and restart
// ask for a second click within a few seconds (Escape, a click elsewhere or the wait disarm them),
// while pause stays one click. Screenshot: .test-tmp/artifacts/dashboard-confirm.png.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { recordPageProblems, startDashboard, stopAllDashboards, type Dashboard } from './helpers/dashboard.js';
import { jobStatus, trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO, '.test-tmp/artifacts');
const T = { timeout: 20_000 };

let d: TestDaemon;
let dash: Dashboard;
let browser: Browser;
let page: Page;
const problems: string[] = [];

/** A property the test sets on a DOM node: still there later, the node is the same one. */
type Marked = { procdMark?: string };

const row = (id: number) => page.locator(`#jobs tbody tr[data-id="${id}"]`);
const daemonState = async (id: number) => (await jobStatus(d, id)).state.kind;

/** Waits until the row's elapsed cell shows another value than now: the table rendered it again. */
async function nextRender(id: number): Promise<void> {
  const elapsed = row(id).locator('td.elapsed');
  const before = await elapsed.textContent();
  await expect.poll(() => elapsed.textContent(), { ...T, interval: 20 }).not.toBe(before);
}

/** A slow click, as a person makes one: the button goes down, the table renders, the button comes up. */
async function slowClick(id: number, button: Locator): Promise<void> {
  const box = await button.boundingBox();
  if (!box) throw new Error('the button is not on screen');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await nextRender(id);
  await page.mouse.up();
}

describe.skipIf(!existsSync(CHROMIUM))(`the job table on a busy page in Chromium (needs ${CHROMIUM})`, () => {
  beforeAll(async () => {
    d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '100ms' } });
    // Busy: every job is sampled every 100 ms, and the page redraws on each sample.
    for (let i = 0; i < 6; i++) await trackJob(d, ['--name', `busy-${i}`, '--', 'sleep', '300']);
    dash = await startDashboard(d);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    recordPageProblems(page, problems);
    expect((await page.goto(`${dash.base}/?token=${dash.token}`))?.status()).toBe(200);
    await page.locator('#connection[data-state="live"]').waitFor(T);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.stop();
    await stopAllDashboards();
    await d?.cleanup();
  });

  it('keeps a row and its buttons as the same nodes while samples arrive', async () => {
    const job = await trackJob(d, ['--name', 'kept', '--', 'sleep', '300']);
    await row(job.id).locator('button.pause').waitFor(T);
    // Count what the page receives meanwhile (its own stream is the same one).
    await page.evaluate(`window.samplesSeen = 0; new EventSource('/api/events?samples=true').addEventListener('message', (e) => JSON.parse(e.data).kind === 'sample' && window.samplesSeen++)`);
    const marked = ['', ' td.name button', ' button.pause', ' button.kill', ' button.restart', ' button.logs'].map((sel) => page.locator(`#jobs tbody tr[data-id="${job.id}"]${sel}`));
    for (const node of marked) await node.evaluate((n) => void ((n as Marked).procdMark = 'kept'));
    for (let i = 0; i < 3; i++) await nextRender(job.id);
    const seen = Number(await page.evaluate('window.samplesSeen'));
    expect(seen, 'samples the page received while it rendered').toBeGreaterThanOrEqual(10);
    const marks = await Promise.all(marked.map((node) => node.evaluate((n) => (n as Marked).procdMark ?? 'replaced')));
    expect(marks).toEqual(['kept', 'kept', 'kept', 'kept', 'kept', 'kept']);
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('a slow click across renders acts: pause at once, kill on the second click', async () => {
    const job = await trackJob(d, ['--name', 'slow-click', '--', 'sleep', '300']);
    await slowClick(job.id, row(job.id).locator('button.pause'));
    await waitFor(async () => (await daemonState(job.id)) === 'paused', { what: 'the daemon to say paused', timeoutMs: 20_000 });
    await row(job.id).locator('button.resume').click(T);
    await waitFor(async () => (await daemonState(job.id)) === 'running', { what: 'the daemon to say running again', timeoutMs: 20_000 });
    const kill = row(job.id).locator('button.kill');
    await kill.click(T);
    await expect.poll(() => kill.textContent(), T).toBe('kill? click again');
    await slowClick(job.id, kill);
    expect((await waitForEnd(d, job.id)).state.kind).toBe('killed');
    await row(job.id).locator('td.state', { hasText: 'killed' }).waitFor(T);
  });

  it('one click on kill only arms it: the job runs on, and the button disarms by itself', async () => {
    const job = await trackJob(d, ['--name', 'armed-once', '--', 'sleep', '300']);
    const kill = row(job.id).locator('button.kill');
    await kill.click(T);
    await row(job.id).locator('button.kill.armed', { hasText: 'kill? click again' }).waitFor(T);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-confirm.png'), fullPage: true });
    // About 4 s later it is a plain kill button again, and nothing was killed.
    await row(job.id).locator('button.kill:not(.armed)', { hasText: /^kill$/ }).waitFor(T);
    expect(await daemonState(job.id)).toBe('running');
    // A click after the arming ran out arms again; it does not kill.
    await kill.click(T);
    await row(job.id).locator('button.kill.armed').waitFor(T);
    expect(await daemonState(job.id)).toBe('running');
    await page.keyboard.press('Escape');
    await row(job.id).locator('button.kill:not(.armed)').waitFor(T);
  });

  it('Escape and a click elsewhere disarm restart; two clicks restart the job', async () => {
    const neighbour = await trackJob(d, ['--name', 'neighbour', '--', 'sleep', '300']);
    const job = await trackJob(d, ['--name', 'restarted', '--', 'sleep', '300']);
    const restart = row(job.id).locator('button.restart');
    const other = row(neighbour.id).locator('button.kill');
    await restart.click(T);
    await expect.poll(() => restart.textContent(), T).toBe('restart? click again');
    await page.keyboard.press('Escape');
    await expect.poll(() => restart.textContent(), T).toBe('restart');
    await restart.click(T);
    await row(job.id).locator('button.restart.armed').waitFor(T);
    await page.locator('header h1').click(T);
    await expect.poll(() => restart.textContent(), T).toBe('restart');
    // Arming another row's kill disarms this one: one armed button at a time.
    await restart.click(T);
    await other.click(T);
    await row(neighbour.id).locator('button.kill.armed').waitFor(T);
    await expect.poll(() => restart.textContent(), T).toBe('restart');
    await page.keyboard.press('Escape');
    expect((await jobStatus(d, job.id)).runs?.current ?? 1).toBe(1);
    expect(await daemonState(neighbour.id)).toBe('running');
    await restart.click(T);
    await restart.click(T);
    await waitFor(async () => {
      const s = await jobStatus(d, job.id);
      return s.state.kind === 'running' && (s.runs?.current ?? 1) === 2;
    }, { what: 'run 2 running', timeoutMs: 30_000 });
    await expect.poll(() => restart.textContent(), T).toBe('restart');
    expect(await restart.isEnabled()).toBe(true);
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('a job another client removes (procd rm) leaves the table without a reload; its neighbours stay', async () => {
    const gone = await trackJob(d, ['--name', 'to-remove', '--', 'true']);
    const stays = await trackJob(d, ['--name', 'stays', '--', 'true']);
    await waitForEnd(d, gone.id);
    await waitForEnd(d, stays.id);
    await row(gone.id).waitFor(T);
    await row(stays.id).locator('button.name, td.name').first().evaluate((n) => void ((n as Marked).procdMark = 'same page'));
    expect((await d.cli(['rm', String(gone.id)])).code).toBe(0);
    await row(gone.id).waitFor({ ...T, state: 'detached' });
    // Not a reload: the other row is the same node as before.
    expect(await row(stays.id).locator('button.name, td.name').first().evaluate((n) => (n as Marked).procdMark)).toBe('same page');
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
