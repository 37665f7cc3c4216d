// The dashboard's first table comes in the page itself: with scripts off the browser already shows
// every job (so the table is there at the first paint), hostile job text shows as text, and the
// script takes that table over without changing it (the rows it draws are the server's rows).

import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { startDashboard, stopAllDashboards, type Dashboard } from './helpers/dashboard.js';
import { trackJob, waitForEnd } from './helpers/jobs.js';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = `echo "</script><script>alert(1)</script><img src=x onerror=alert(2)> 'q' \\$&"`;

let d: TestDaemon;
let dash: Dashboard;
let browser: Browser;

/** Each row's markup, without what may differ between two draws of one state (the element-timing mark). */
const rowsOf = (page: Page) => page.locator('#jobs tbody tr').evaluateAll((rows) => rows.map((r) => r.outerHTML.replace(/ elementtiming="[^"]*"/, '')));

describe.skipIf(!existsSync(CHROMIUM))(`the first table in the page (needs ${CHROMIUM})`, () => {
  beforeAll(async () => {
    d = await startTestDaemon();
    // Jobs that have ended: nothing about them changes while the test compares two draws.
    for (const [name, cmd] of [['plain', 'echo hi'], ['hostile', HOSTILE], ['fails', 'exit 3']]) {
      const job = await trackJob(d, ['--name', name!, '--', 'sh', '-c', cmd!]);
      await waitForEnd(d, job.id);
    }
    dash = await startDashboard(d);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.stop();
    await stopAllDashboards();
    await d?.cleanup();
  });

  it('with scripts off, the page already lists every job, hostile text as text; the script takes the same rows over', async () => {
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    const served = await noScript.newPage();
    const problems: string[] = [];
    served.on('dialog', (dialog) => {
      problems.push(dialog.message());
      void dialog.dismiss();
    });
    await served.goto(`${dash.base}/?token=${dash.token}`);
    expect(await served.locator('#jobs tbody tr td.name').allTextContents()).toEqual(['fails', 'hostile', 'plain']);
    expect(await served.locator('#jobs thead th').count()).toBe(12);
    const command = await served.locator('#jobs tbody tr', { hasText: 'hostile' }).locator('td.command').textContent();
    expect(command).toContain(`</script><script>alert(1)</script><img src=x onerror=alert(2)> 'q' \\$&`);
    expect(await served.locator('#jobs script, #jobs img, body > script:not([type="application/json"]):not([src])').count()).toBe(0);
    const fromServer = await rowsOf(served);
    await noScript.close();

    const live = await browser.newPage();
    live.on('pageerror', (e) => problems.push(e.message));
    live.on('dialog', (dialog) => {
      problems.push(dialog.message());
      void dialog.dismiss();
    });
    await live.goto(`${dash.base}/?token=${dash.token}`);
    await live.locator('body[data-rendered="3"]').waitFor({ timeout: 20_000 });
    expect(await rowsOf(live)).toEqual(fromServer);
    expect(problems).toEqual([]);
    await live.close();
  }, 90_000);
});
