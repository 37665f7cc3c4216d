#!/usr/bin/env node
// The dashboard page's first render with 100 jobs in headless Chromium, and its bundle size.
// 100 `sleep` jobs run in a fresh daemon; `procd dashboard` serves the page; each round opens a new
// page and times navigation start → the 100th job row in the DOM (the page's own
// performance.mark('procd-first-render'), set right after the first full table is in the DOM).
// Reports the median of N rounds and the gzipped JS+CSS of the built assets.
//   node bench/dashboard-render.mjs [rounds=5]     (needs `npm run build` and /usr/bin/chromium)

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { withDaemon } from './with-daemon.mjs';

const REPO = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.argv[2] ?? 5);
const JOBS = 100;
const ASSETS = join(REPO, 'dist/client/dashboard/assets');

const gz = (file) => gzipSync(readFileSync(join(ASSETS, file)), { level: 9 }).length;
const sizes = { 'app.js': gz('app.js'), 'style.css': gz('style.css'), 'index.html': gz('index.html') };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await withDaemon({}, async ({ client, env }) => {
  for (let i = 0; i < JOBS; i++) await client.track({ argv: ['sleep', '600'], cwd: '/', name: `bench-${i}` });
  const dash = spawn(process.execPath, [join(REPO, 'dist/client/cli/main.js'), 'dashboard', '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const info = await new Promise((ok, fail) => {
      let out = '';
      dash.stdout.on('data', (b) => {
        out += b;
        if (out.includes('\n')) ok(JSON.parse(out.split('\n')[0]));
      });
      dash.once('exit', (code) => fail(new Error(`dashboard exited ${code}`)));
    });
    const context = await browser.newContext();
    // Warm-up: sets the auth cookie (the token in the URL redirects once); the rounds then load with the cache off.
    const warm = await context.newPage();
    await warm.goto(info.url);
    await warm.waitForSelector(`#jobs tbody tr:nth-child(${JOBS})`, { timeout: 60_000 });
    await warm.close();
    // Two ways to load: a new tab each round (Chromium starts a renderer process first, which on a
    // busy machine is most of the time) and the same tab navigated again (the renderer is there).
    const rounds = async (reuse) => {
      const times = [];
      const htmlAt = [];
      const scriptAt = [];
      const tab = reuse ? await context.newPage() : null;
      for (let r = 0; r < ROUNDS; r++) {
        const page = tab ?? (await context.newPage());
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
        await page.goto(`${info.url.replace(/\?.*/, '')}?round=${r}`);
        await page.waitForSelector(`body[data-rendered="${JOBS}"]`, { timeout: 60_000 });
        const rows = await page.locator('#jobs tbody tr').count();
        if (rows !== JOBS) throw new Error(`expected ${JOBS} rows, got ${rows}`);
        const [ms, html, script, detail] = await page.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const res = (name) => performance.getEntriesByType('resource').find((e) => e.name.endsWith(name));
          const paint = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
          const js = res('/app.js');
          const r = (x) => (x == null ? null : Math.round(x));
          return [
            performance.getEntriesByName('procd-first-render')[0].startTime,
            nav.responseEnd,
            performance.getEntriesByName('procd-script-start')[0].startTime,
            {
              fetchStart: r(nav.fetchStart), requestStart: r(nav.requestStart), responseStart: r(nav.responseStart), responseEnd: r(nav.responseEnd),
              domInteractive: r(nav.domInteractive), domContentLoaded: r(nav.domContentLoadedEventStart),
              jsStart: r(js?.startTime), jsEnd: r(js?.responseEnd), fp: r(paint('first-paint')), fcp: r(paint('first-contentful-paint')),
            },
          ];
        });
        if (process.env.BENCH_DETAIL) console.error(JSON.stringify({ reuse, round: r, firstRender: Math.round(ms), scriptStart: Math.round(script), ...detail }));
        times.push(Math.round(ms));
        htmlAt.push(Math.round(html));
        scriptAt.push(Math.round(script));
        await cdp.detach();
        if (!tab) await page.close();
      }
      await tab?.close();
      return { median: median(times), rounds: times, htmlReceivedMedian: median(htmlAt), scriptStartMedian: median(scriptAt) };
    };
    const newTab = await rounds(false);
    const sameTab = await rounds(true);
    const total = sizes['app.js'] + sizes['style.css'];
    console.log(JSON.stringify({ jobs: JOBS, firstRenderMs: { newTab, sameTab }, gzipBytes: { ...sizes, jsPlusCss: total } }));
    for (const [what, r] of [['a new tab', newTab], ['the same tab again', sameTab]]) {
      console.log(`first render of ${JOBS} jobs in ${what}: median ${r.median} ms (rounds ${r.rounds.join(', ')}; HTML in at ${r.htmlReceivedMedian} ms, script starts at ${r.scriptStartMedian} ms; budget 500)`);
    }
    console.log(`JS+CSS gzipped ${(total / 1024).toFixed(1)} KiB (budget 200 KB)`);
  } finally {
    await browser.close();
    dash.kill('SIGTERM');
  }
});
