// The dashboard never starts a daemon its user stopped: with the daemon down, API calls answer 503
// DaemonNotRunning, the page shows a "not running — waiting" banner while its event stream keeps
// asking, and no daemon process appears; once the user starts the daemon the page is live again.

import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAEMON_ENTRY } from '../../client/autostart.js';
import { connect } from '../../client/index.js';
import { REPO, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { startDashboard, stopAllDashboards, type Dashboard } from './helpers/dashboard.js';
import { trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(REPO, '.test-tmp/artifacts');

/** Daemon processes of this home: its environment names the home and it runs the daemon's entry (its bundle). */
function daemonProcesses(home: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      if (env.includes(`PROCD_HOME=${home}`) && cmd.split('\0')[1] === DAEMON_ENTRY) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

let d: TestDaemon;
let dash: Dashboard;
let browser: Browser;
let page: Page;

describe.skipIf(!existsSync(CHROMIUM))(`the dashboard with the daemon stopped (needs ${CHROMIUM})`, () => {
  beforeAll(async () => {
    d = await startTestDaemon();
    dash = await startDashboard(d);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.stop();
    await stopAllDashboards();
    await d?.cleanup();
  });

  it('answers 503 DaemonNotRunning, shows a banner, starts no daemon, and goes live again once the daemon is started', async () => {
    await page.goto(`${dash.base}/?token=${dash.token}`);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('#daemon-down').isVisible()).toBe(false);

    const stop = await d.cli(['daemon', 'stop']);
    expect(stop.code, stop.stderr).toBe(0);
    await waitFor(() => daemonProcesses(d.home).length === 0, { what: 'the daemon to exit', timeoutMs: 30_000 });

    // Every kind of API call the page makes: none may start a daemon.
    for (const path of ['/api/jobs', '/api/stats', '/api/jobs/1/output?tail=5']) {
      const r = await dash.req('GET', path);
      expect(r.status, `${path}: ${r.text}`).toBe(503);
      expect((r.json() as { error: { code: string } }).error.code).toBe('DaemonNotRunning');
    }
    // The page's event stream asks again and again (each answer an `unavailable` event); three of them after the banner shows.
    await page.locator('#daemon-down').waitFor({ state: 'visible', timeout: 30_000 });
    let asked = 0;
    page.on('requestfinished', (req) => void (req.url().includes('/api/events') && asked++));
    await waitFor(() => asked >= 3, { what: 'the page to retry its event stream three times', timeoutMs: 60_000 });
    expect(await page.locator('#connection').getAttribute('data-state')).toBe('down');
    expect(daemonProcesses(d.home)).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-daemon-down.png') });
    await expect(connect({ paths: d.paths, autostart: false })).rejects.toMatchObject({ data: { notRunning: true } });

    const start = await d.cli(['daemon', 'start']);
    expect(start.code, start.stderr).toBe(0);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#daemon-down').isVisible()).toBe(false);
    await trackJob(d, ['--name', 'back-again', '--', 'sleep', '300']);
    await page.locator('#jobs tbody tr', { hasText: 'back-again' }).locator('td.state', { hasText: 'running' }).waitFor({ timeout: 30_000 });
    expect((await dash.req('GET', '/api/jobs')).status).toBe(200);
  }, 180_000);
});
