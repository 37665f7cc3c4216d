// Following a job's output by cursor: GET /api/jobs/:id/output?after=CURSOR&waitMs= answers only
// what came after the cursor (long-polling until it comes), a bad cursor is a 400 with a code; the
// page's follow appends a new line to the viewer without drawing the old ones again.
// The jobs print a line, then wait for a file the test creates, then print the next line.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { startDashboard, stopAllDashboards, type Dashboard } from './helpers/dashboard.js';
import { trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

const CHROMIUM = '/usr/bin/chromium';

interface OutputAnswer {
  chunks: { stream: 'stdout' | 'stderr'; data: string }[];
  cursor: { run: number; stdout: number; stderr: number };
  eof: boolean;
}

const textOf = (a: OutputAnswer, stream: 'stdout' | 'stderr') =>
  a.chunks.filter((c) => c.stream === stream).map((c) => Buffer.from(c.data, 'base64').toString('utf8')).join('');
const cursorText = (a: OutputAnswer) => `${a.cursor.run}.${a.cursor.stdout}.${a.cursor.stderr}`;

/** A job that prints `first`, waits for GATE, then prints `second` (stdout) and `second-err` (stderr). */
function gatedScript(gate: string): string {
  return `echo first; echo first-err >&2; while [ ! -e ${gate} ]; do sleep 0.05; done; echo second; echo second-err >&2; sleep 300`;
}

let d: TestDaemon;
let dash: Dashboard;

beforeAll(async () => {
  d = await startTestDaemon();
  dash = await startDashboard(d);
}, 60_000);

afterAll(async () => {
  await dash?.stop();
  await stopAllDashboards();
  await d?.cleanup();
});

describe('GET /api/jobs/:id/output?after=CURSOR', () => {
  it('answers only the output after the cursor, waiting for it with waitMs; streams stay apart', async () => {
    const gate = join(d.home, 'gate-api');
    const job = await trackJob(d, ['--name', 'lines-api', '--', 'sh', '-c', gatedScript(gate)]);
    const first = await waitFor(
      async () => {
        const a = (await dash.req('GET', `/api/jobs/${job.id}/output?tail=10`)).json() as OutputAnswer;
        return textOf(a, 'stderr') === 'first-err\n' && a;
      },
      { what: 'the first lines', timeoutMs: 20_000 },
    );
    expect(textOf(first, 'stdout')).toBe('first\n');
    // Nothing new yet: the long-poll is answered when the job prints again, which it does once the gate exists.
    const pending = dash.req('GET', `/api/jobs/${job.id}/output?after=${cursorText(first)}&waitMs=30000`);
    writeFileSync(gate, '');
    let next = (await pending).json() as OutputAnswer;
    let out = textOf(next, 'stdout');
    let err = textOf(next, 'stderr');
    // The two lines may come in two answers: read on from each answer's cursor until both are there.
    while (!out.includes('second') || !err.includes('second-err')) {
      next = (await dash.req('GET', `/api/jobs/${job.id}/output?after=${cursorText(next)}&waitMs=30000`)).json() as OutputAnswer;
      out += textOf(next, 'stdout');
      err += textOf(next, 'stderr');
    }
    expect(out).toBe('second\n');
    expect(err).toBe('second-err\n');
    expect(next.eof).toBe(false);
  }, 90_000);

  it('refuses a bad cursor with 400 and a code', async () => {
    const job = await trackJob(d, ['--name', 'lines-bad', '--', 'sh', '-c', 'echo hi; sleep 300']);
    for (const bad of ['garbage', '1.2', '0.0.0', '1.-1.0']) {
      const r = await dash.req('GET', `/api/jobs/${job.id}/output?after=${encodeURIComponent(bad)}`);
      expect(r.status, `${bad}: ${r.text}`).toBe(400);
      expect(r.json()).toMatchObject({ error: { code: 'InvalidParams', data: { field: 'after' } } });
    }
    // Well-formed but past the end of the output: the daemon's refusal, as a 400.
    const past = await dash.req('GET', `/api/jobs/${job.id}/output?after=1.999999.0`);
    expect(past.status, past.text).toBe(400);
    expect((past.json() as { error: { code: string } }).error.code).toBe('InvalidParams');
    const wait = await dash.req('GET', `/api/jobs/${job.id}/output?after=1.0.0&waitMs=999999`);
    expect(wait.status, wait.text).toBe(400);
  });
});

describe.skipIf(!existsSync(CHROMIUM))(`the page's output follow (needs ${CHROMIUM})`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('appends the new line without drawing the old ones again, stdout and stderr apart', async () => {
    const gate = join(d.home, 'gate-page');
    const job = await trackJob(d, ['--name', 'lines-page', '--', 'sh', '-c', gatedScript(gate)]);
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${dash.base}/?token=${dash.token}`);
    const following = page.waitForRequest((r) => r.url().includes(`/api/jobs/${job.id}/output?after=`), { timeout: 30_000 });
    await page.locator(`#jobs tbody tr[data-id="${job.id}"] button.logs`).click({ timeout: 20_000 });
    const lines = page.locator('#output-lines .line');
    await waitFor(async () => (await lines.count()) === 2, { what: 'the first two lines', timeoutMs: 20_000 });
    // Mark the lines drawn so far: after the follow they must be the same nodes (appended to, not redrawn).
    await page.locator('#output-lines .line').evaluateAll((els) => els.forEach((e) => e.setAttribute('data-old', '1')));
    // Follow is under way (a long-poll from the tail's cursor) before the job prints again.
    await following;
    writeFileSync(gate, '');
    await waitFor(async () => (await lines.count()) === 4, { what: 'the two new lines', timeoutMs: 20_000 });
    expect(await lines.allTextContents()).toEqual(expect.arrayContaining(['first', 'first-err', 'second', 'second-err']));
    expect(await page.locator('#output-lines .line-stdout').allTextContents()).toEqual(['first', 'second']);
    expect(await page.locator('#output-lines .line-stderr').allTextContents()).toEqual(['first-err', 'second-err']);
    expect(await page.locator('#output-lines .line[data-old="1"]').allTextContents()).toEqual(expect.arrayContaining(['first', 'first-err']));
    expect(await page.locator('#output-lines .line[data-old="1"]').count()).toBe(2);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});
