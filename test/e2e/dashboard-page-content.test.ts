// The dashboard page's content in a real browser (Debian's chromium via playwright-core, headless):
// the stats grid counts a started job live, the table sorts and filters, kill from the table ends
// the job, the output viewer shows HTML and escape sequences as inert text (SGR colours as spans,
// every other escape dropped), the trend charts draw, a job's page shows its process tree and timeline, and a --read-only dashboard shows no actions and refuses them.
// No console error or CSP violation anywhere. Screenshots: .test-tmp/artifacts/dashboard-content.png, dashboard-job-page.png.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
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

async function openPage(base: string, token: string): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  recordPageProblems(p, problems);
  const r = await p.goto(`${base}/?token=${token}`);
  expect(r?.status()).toBe(200);
  await p.locator('#connection[data-state="live"]').waitFor(T);
  // The grid's counts come from /api/stats, read just after the table is drawn.
  await p.locator('#stats[data-loaded="true"]').waitFor(T);
  return p;
}

const count = async (key: string) => Number(await page.locator(`#stats [data-key="${key}"] .stat-count`).textContent());
const names = () => page.locator('#jobs tbody tr td.name').allTextContents();

describe.skipIf(!existsSync(CHROMIUM))(`the dashboard page's content in Chromium (needs ${CHROMIUM})`, () => {
  beforeAll(async () => {
    d = await startTestDaemon();
    dash = await startDashboard(d);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await openPage(dash.base, dash.token);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.stop();
    await stopAllDashboards();
    await d?.cleanup();
  });

  it('the stats grid shows every state and flag, and counts a job started after the page loaded', async () => {
    const keys = await page.locator('#stats [data-key]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-key')));
    expect(keys).toEqual(['starting', 'queued', 'running', 'paused', 'completed', 'failed', 'killed', 'timed_out', 'lost', 'time_sink', 'bottleneck', 'stuck', 'leftovers']);
    const before = await count('running');
    await trackJob(d, ['--name', 'counted', '--', 'sleep', '300']);
    await waitFor(async () => (await count('running')) === before + 1, { what: 'the running count to go up by one', timeoutMs: 20_000 });
    const failedBefore = await count('failed');
    await trackJob(d, ['--name', 'fails', '--', 'false']);
    await waitFor(async () => (await count('failed')) === failedBefore + 1, { what: 'the failed count to go up by one', timeoutMs: 20_000 });
  });

  it('the trend charts show the failure rate, durations, CPU and memory as inline SVG', async () => {
    // The failed job of the test before has ended: its bucket has a failure rate above 0.
    const figures = page.locator('#trends figure');
    await waitFor(async () => (await figures.count()) === 4, { what: 'four trend charts', timeoutMs: 20_000 });
    expect(await figures.evaluateAll((fs) => fs.map((f) => f.getAttribute('data-series')))).toEqual(['failureRate', 'avgDurationMs', 'avgCpuPercent', 'avgRssBytes']);
    await waitFor(async () => /failure rate: [1-9]\d*%/.test((await figures.first().textContent()) ?? ''), { what: 'a failure rate above 0', timeoutMs: 30_000 });
    expect(await page.locator('#trends svg').count()).toBe(4);
    expect(await page.locator('#trends svg path.trend-line, #trends svg circle.trend-dot').count()).toBeGreaterThan(0);
  });

  it('the table sorts by a clicked header and filters by text', async () => {
    for (const n of ['sort-b', 'sort-a', 'sort-c']) await trackJob(d, ['--name', n, '--', 'sleep', '300']);
    await page.locator('#filter').fill('sort-');
    await waitFor(async () => (await names()).length === 3, { what: 'three sort- rows', timeoutMs: 20_000 });
    expect(await names()).toEqual(['sort-c', 'sort-a', 'sort-b']); // newest first by default
    await page.locator('#jobs th[data-sort="name"]').click();
    expect(await names()).toEqual(['sort-a', 'sort-b', 'sort-c']);
    expect(await page.locator('#jobs th[data-sort="name"]').getAttribute('aria-sort')).toBe('ascending');
    await page.locator('#jobs th[data-sort="name"]').click();
    expect(await names()).toEqual(['sort-c', 'sort-b', 'sort-a']);
    await page.locator('#filter').fill('sort-b running');
    expect(await names()).toEqual(['sort-b']);
    await page.locator('#filter').fill('');
    expect((await names()).length).toBeGreaterThanOrEqual(5);
  });

  it('kill in a row ends that job (the daemon says killed) and the row says so', async () => {
    const job = await trackJob(d, ['--name', 'table-kill', '--', 'sleep', '300']);
    const row = page.locator(`#jobs tbody tr[data-id="${job.id}"]`);
    // Kill asks for a second click (the first arms the button).
    await row.locator('button.kill').click(T);
    await row.locator('button.kill.armed').waitFor(T);
    await row.locator('button.kill').click(T);
    const ended = await waitForEnd(d, job.id);
    expect(ended.state.kind).toBe('killed');
    await row.locator('td.state', { hasText: 'killed' }).waitFor(T);
    await waitFor(async () => (await row.locator('button.kill').count()) === 0, { what: 'the kill button gone from the ended row', timeoutMs: 20_000 });
  });

  it("the output viewer shows HTML and escape sequences as inert text, SGR colours as spans", async () => {
    const script = [
      `printf '%s\\n' '<script>alert(1)</script>' '<img src=x onerror=alert(1)>'`,
      `printf '\\033[31mred\\033[0m plain \\033]0;pwned-title\\007osc-gone \\033]8;;http://evil.test/\\033\\\\link\\033]8;;\\033\\\\ \\033[2Jcursor-gone\\n'`,
      `echo on-stderr >&2`,
      'sleep 300',
    ].join('; ');
    const job = await trackJob(d, ['--name', 'hostile', '--', 'sh', '-c', script]);
    await page.locator(`#jobs tbody tr[data-id="${job.id}"] button.logs`).click(T);
    const out = page.locator('#output-lines');
    await waitFor(async () => (await out.textContent())?.includes('on-stderr'), { what: 'the output shown', timeoutMs: 20_000 });
    const text = (await out.textContent()) ?? '';
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('<img src=x onerror=alert(1)>');
    expect(text).toContain('red plain osc-gone link cursor-gone');
    expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\x9b]/);
    expect(text).not.toContain('pwned-title');
    // Only the viewer's own elements: lines (div) and coloured spans; one red span.
    const tags = await out.locator('*').evaluateAll((els) => [...new Set(els.map((e) => e.tagName.toLowerCase()))].sort());
    expect(tags).toEqual(['div', 'span']);
    expect(await out.locator('span.ansi-fg-1').allTextContents()).toEqual(['red']);
    expect(await out.locator('.line-stderr').allTextContents()).toEqual(['on-stderr']);
    expect(await page.title()).toBe('procd dashboard');
    // Switch to stderr only, and search.
    await page.locator('#output-stream').selectOption('stdout');
    await waitFor(async () => !(await out.textContent())?.includes('on-stderr'), { what: 'stderr gone from a stdout view', timeoutMs: 20_000 });
    await page.locator('#output-search').fill('onerror');
    expect(await out.locator('.line').allTextContents()).toEqual(['<img src=x onerror=alert(1)>']);
    await page.locator('#output-search').fill('');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-content.png'), fullPage: true });
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it("a job's page shows its process tree and timeline", async () => {
    const job = await trackJob(d, ['--name', 'tree-job', '--', 'sh', '-c', 'sleep 301 & sleep 302; wait']);
    await page.locator(`#jobs tbody tr[data-id="${job.id}"] td.name button`).click(T);
    const detail = page.locator(`#detail[data-job="${job.id}"]`);
    await detail.waitFor(T);
    const tree = page.locator('#detail-tree tbody td.command');
    await waitFor(async () => (await tree.count()) === 3, { what: 'three processes in the tree', timeoutMs: 20_000 });
    const commands = await tree.allTextContents();
    expect(commands[0]).toContain('sh -c sleep 301');
    expect(commands.slice(1).map((c) => c.trim()).sort()).toEqual(['└ sleep 301', '└ sleep 302']);
    await waitFor(async () => (await page.locator('#detail-timeline li').count()) > 0, { what: 'the timeline', timeoutMs: 20_000 });
    expect(await page.locator('#detail-title').textContent()).toContain('running');
    expect(await page.locator('#detail-facts').textContent()).toContain('no baseline yet');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-job-page.png'), fullPage: true });
  });

  it('pause, resume and restart from a row act on the job; its page lists the earlier run', async () => {
    const job = await trackJob(d, ['--name', 'acted-on', '--', 'sleep', '300']);
    const row = () => page.locator(`#jobs tbody tr[data-id="${job.id}"]`);
    const daemonState = async () => (await jobStatus(d, job.id)).state.kind;
    await row().locator('button.pause').click(T);
    await waitFor(async () => (await daemonState()) === 'paused', { what: 'the daemon to say paused', timeoutMs: 20_000 });
    await row().locator('button.resume').click(T);
    await waitFor(async () => (await daemonState()) === 'running', { what: 'the daemon to say running again', timeoutMs: 20_000 });
    await row().locator('button.restart').click(T);
    await row().locator('button.restart.armed').waitFor(T);
    await row().locator('button.restart').click(T);
    await waitFor(async () => {
      const s = await jobStatus(d, job.id);
      return s.state.kind === 'running' && (s.runs?.current ?? 1) === 2;
    }, { what: 'run 2 running', timeoutMs: 30_000 });
    await row().locator('td.name button').click(T);
    await waitFor(async () => (await page.locator('#detail-runs li').count()) === 2, { what: 'two runs on the job page', timeoutMs: 20_000 });
    expect(await page.locator('#detail-runs li').first().textContent()).toContain('run 2 (this one)');
    expect(await page.locator('#detail-runs li').nth(1).textContent()).toMatch(/^run 1: killed/);
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('read-only: no action buttons, and the API refuses an action', async () => {
    const ro = await startDashboard(d, ['--read-only']);
    try {
      const job = await trackJob(d, ['--name', 'ro-job', '--', 'sleep', '300']);
      const p = await openPage(ro.base, ro.token);
      const row = p.locator(`#jobs tbody tr[data-id="${job.id}"]`);
      await row.waitFor(T);
      expect(await p.locator('#mode').textContent()).toBe('read-only');
      expect(await p.locator('#jobs button.kill, #jobs button.restart, #jobs button.pause, #jobs button.resume').count()).toBe(0);
      const refused = await p.evaluate(async (id) => {
        const s = (await (await fetch('/api/session')).json()) as { csrfToken: string };
        const r = await fetch(`/api/jobs/${id}/kill`, { method: 'POST', headers: { 'X-Procd-Token': s.csrfToken, 'Content-Type': 'application/json' }, body: '{}' });
        return r.status;
      }, job.id);
      expect(refused).toBe(403);
      await p.close();
      expect((await jobStatus(d, job.id)).state.kind).toBe('running');
      expect(problems.filter((m) => !m.includes('403')), problems.join('\n')).toEqual([]);
    } finally {
      await ro.stop();
    }
  });
});
