// The dashboard's first page in a real browser (Debian's chromium driven by playwright-core,
// headless): it loads under its Content-Security-Policy, lists a job started after it loaded (live
// from /api/events), shows a job's <script> text as text, kills a job with its button, and keeps
// working after a daemon restart. A screenshot goes to .test-tmp/artifacts/dashboard.png.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { recordPageProblems, startDashboard, stopAllDashboards, type Dashboard } from './helpers/dashboard.js';
import { trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO, '.test-tmp/artifacts');

let d: TestDaemon;
let dash: Dashboard;
let browser: Browser;
let page: Page;
const problems: string[] = [];

describe.skipIf(!existsSync(CHROMIUM))(`the dashboard page in Chromium (needs ${CHROMIUM}, Debian's chromium, which .ci/run installs)`, () => {
  beforeAll(async () => {
    d = await startTestDaemon();
    dash = await startDashboard(d);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage();
    recordPageProblems(page, problems);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.stop();
    await stopAllDashboards();
    await d?.cleanup();
  });

  const row = (name: string) => page.locator('#jobs tbody tr', { hasText: name });

  it('without the token the browser gets 401', async () => {
    // A page of its own: the browser's notes about the 401s (the page, its favicon) stay out of `problems`.
    const stranger = await browser.newPage();
    try {
      const r = await stranger.goto(`${dash.base}/`);
      expect(r?.status()).toBe(401);
      expect(await stranger.locator('#jobs').count()).toBe(0);
    } finally {
      await stranger.close();
    }
  });

  it('with it, the page loads (no CSP or script error) and lists a job started after it loaded', async () => {
    const r = await page.goto(`${dash.base}/?token=${dash.token}`);
    expect(r?.status()).toBe(200);
    expect(page.url()).toBe(`${dash.base}/`);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 20_000 });
    const job = await trackJob(d, ['--name', 'after-load', '--', 'sleep', '300']);
    const startedAt = Date.now();
    await row('after-load').locator('td.state', { hasText: 'running' }).waitFor({ timeout: 20_000 });
    console.log(`dashboard page: job ${job.id} listed ${Date.now() - startedAt} ms after track returned`);
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("shows a job's <script> as text: nothing runs, no dialog", async () => {
    const job = await trackJob(d, ['--name', 'xss', '--', 'sh', '-c', 'echo "<script>alert(1)</script><img src=x onerror=alert(2)>"; sleep 300']);
    const command = row('xss').locator('td.command');
    await command.waitFor({ timeout: 20_000 });
    await waitFor(async () => (await command.textContent())?.includes('<script>alert(1)</script>'), { what: 'the command shown as text' });
    expect(await page.locator('#jobs img, #jobs script').count()).toBe(0);
    expect(job.id).toBeGreaterThan(0);
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it('kills a job with its button', async () => {
    const job = await trackJob(d, ['--name', 'to-kill', '--', 'sleep', '300']);
    // Kill asks for a second click (the first arms the button).
    const kill = row('to-kill').locator('button.kill');
    await kill.click({ timeout: 20_000 });
    await row('to-kill').locator('button.kill.armed').waitFor({ timeout: 20_000 });
    await kill.click({ timeout: 20_000 });
    const ended = await waitForEnd(d, job.id);
    expect(ended.state.kind).toBe('killed');
    await row('to-kill').locator('td.state', { hasText: 'killed' }).waitFor({ timeout: 20_000 });
  });

  it('keeps working after a daemon restart, and leaves a screenshot', async () => {
    const r = await d.cli(['daemon', 'restart'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    await trackJob(d, ['--name', 'after-restart', '--', 'sleep', '300']);
    await row('after-restart').locator('td.state', { hasText: 'running' }).waitFor({ timeout: 30_000 });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    expect(problems, problems.join("\n")).toEqual([]);
  });
});
