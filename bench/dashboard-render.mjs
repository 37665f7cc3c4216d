#!/usr/bin/env node
// The dashboard page's first render with 100 jobs in headless Chromium, and its bundle size.
// 100 `sleep` jobs run in a fresh daemon; `procd dashboard` serves the page; each round opens a
// page and reads the browser's own timings, all from navigation start:
//   firstRender  the page's performance.mark('procd-first-render'): the full table of 100 rows is in
//                the DOM (the measure since issue 16; the paint that shows it follows)
//   plus the navigation's responseEnd, domInteractive, the script's start and first-contentful-paint;
//   tableMs  the drawing of that first table alone (procd-table-start → procd-first-render), the
//            page's own work without the network (null for a build without the mark).
// A new tab each round: Chromium starts a renderer process for it, which counts (after navigation
// start) as it does for a user opening the dashboard; and the same tab navigated again (renderer warm).
// With --compare DIR, a second dashboard from DIR's build (e.g. a checkout of main, built) serves
// the same daemon and the rounds alternate between the two, so both see the same machine load.
//   node bench/dashboard-render.mjs [rounds=5] [--compare DIR]   (needs `npm run build` and /usr/bin/chromium)

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { withDaemon } from './with-daemon.mjs';

const REPO = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const compareAt = args.indexOf('--compare');
const COMPARE = compareAt >= 0 ? resolve(args.splice(compareAt, 2)[1]) : null;
const ROUNDS = Number(args[0] ?? 5);
const JOBS = 100;

const gz = (repo, file) => gzipSync(readFileSync(join(repo, 'dist/client/dashboard/assets', file)), { level: 9 }).length;
const sizes = (repo) => ({ 'app.js': gz(repo, 'app.js'), 'style.css': gz(repo, 'style.css'), 'index.html': gz(repo, 'index.html') });
const median = (xs) => {
  const v = xs.filter((x) => x !== null).sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : null;
};

function startDashboard(repo, env) {
  const dash = spawn(process.execPath, [join(repo, 'dist/client/cli/main.js'), 'dashboard', '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const info = new Promise((ok, fail) => {
    let out = '';
    dash.stdout.on('data', (b) => {
      out += b;
      if (out.includes('\n')) ok(JSON.parse(out.split('\n')[0]));
    });
    dash.once('exit', (code) => fail(new Error(`dashboard exited ${code}`)));
  });
  return { dash, info };
}

/** One page load: the timings (ms from navigation start) the page and the browser recorded. */
async function measure(context, page, url) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await page.goto(url);
  await page.waitForSelector(`body[data-rendered="${JOBS}"]`, { timeout: 60_000 });
  const rows = await page.locator('#jobs tbody tr').count();
  if (rows !== JOBS) throw new Error(`expected ${JOBS} rows, got ${rows}`);
  const t = await page.evaluate(() => {
    const r = (x) => (x == null ? null : Math.round(x));
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
    return {
      firstRender: r(performance.getEntriesByName('procd-first-render')[0].startTime),
      responseEnd: r(nav.responseEnd),
      domInteractive: r(nav.domInteractive),
      scriptStart: r(performance.getEntriesByName('procd-script-start')[0]?.startTime),
      fcp: r(paint('first-contentful-paint')),
      tableMs: (() => {
        const start = performance.getEntriesByName('procd-table-start')[0]?.startTime;
        return start === undefined ? null : Number((performance.getEntriesByName('procd-first-render')[0].startTime - start).toFixed(1));
      })(),
    };
  });
  await cdp.detach();
  return t;
}

const summary = (rounds) => Object.fromEntries(Object.keys(rounds[0]).map((k) => [k, median(rounds.map((x) => x[k]))]));

await withDaemon({}, async ({ client, env }) => {
  for (let i = 0; i < JOBS; i++) await client.track({ argv: ['sleep', '600'], cwd: '/', name: `bench-${i}` });
  const builds = [{ name: 'this', repo: REPO }, ...(COMPARE ? [{ name: 'compare', repo: COMPARE }] : [])];
  for (const b of builds) Object.assign(b, startDashboard(b.repo, env));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    for (const b of builds) {
      b.url = (await b.info).url;
      b.context = await browser.newContext();
      // Warm-up: sets the auth cookie (the token in the URL redirects once); the rounds then load with the cache off.
      const warm = await b.context.newPage();
      await warm.goto(b.url);
      await warm.waitForSelector(`#jobs tbody tr:nth-child(${JOBS})`, { timeout: 60_000 });
      await warm.close();
      b.newTab = [];
      b.sameTab = [];
      b.tab = await b.context.newPage();
    }
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which build goes first, so neither always follows the other.
      for (const b of r % 2 === 0 ? builds : [...builds].reverse()) {
        const url = `${b.url.replace(/\?.*/, '')}?round=${r}`;
        const page = await b.context.newPage();
        b.newTab.push(await measure(b.context, page, url));
        await page.close();
        b.sameTab.push(await measure(b.context, b.tab, url));
      }
    }
    const out = { jobs: JOBS, rounds: ROUNDS, builds: builds.map((b) => ({ build: b.name, repo: b.repo, newTab: { median: summary(b.newTab), rounds: b.newTab }, sameTab: { median: summary(b.sameTab), rounds: b.sameTab }, gzipBytes: sizes(b.repo) })) };
    console.log(JSON.stringify(out));
    for (const b of out.builds) {
      for (const [what, m] of [['a new tab', b.newTab.median], ['the same tab again', b.sameTab.median]]) {
        console.log(`${b.build} (${b.repo}), ${what}: medians firstRender ${m.firstRender} ms, FCP ${m.fcp} ms, HTML in ${m.responseEnd}, domInteractive ${m.domInteractive}, script start ${m.scriptStart}, drawing the table ${m.tableMs} ms (budget 500)`);
      }
      const total = b.gzipBytes['app.js'] + b.gzipBytes['style.css'];
      console.log(`${b.build}: JS+CSS gzipped ${(total / 1024).toFixed(1)} KiB (budget 200 KB)`);
    }
  } finally {
    await browser.close();
    for (const b of builds) b.dash.kill('SIGTERM');
  }
});
