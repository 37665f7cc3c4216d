#!/usr/bin/env node
// The dashboard's job table alone in headless Chromium, without a daemon or the network: the time
// renderTable() takes for 100 running jobs, its script and then the style and layout it causes
// (split, since the layout of the same DOM varies most on a loaded machine),
//   first   the first table of a fresh page (a new page each round, as a user's first render),
//   update  the same 100 jobs again after a sample changed every job's CPU (a busy page's frame;
//           the same page throughout),
// over N rounds each. With --compare DIR, DIR's client/dashboard/assets/table.ts (e.g. a checkout
// of main) runs in a second page and the rounds alternate, so both see the same machine load.
//   node bench/dashboard-table.mjs [rounds=60] [--compare DIR]   (needs /usr/bin/chromium)

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const REPO = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const compareAt = args.indexOf('--compare');
const COMPARE = compareAt >= 0 ? resolve(args.splice(compareAt, 2)[1]) : null;
const RENDERS = Number(args[0] ?? 60);
const JOBS = 100;

// Runs in the page: the table of the build under test, a session with actions on, synthetic jobs.
const HARNESS = `
import { loadSession } from './api.js';
import { buildTable, renderTable } from './table.js';
const NOW = Date.now();
let jobs = [];
const make = (offset, cpu) => Array.from({ length: ${JOBS} }, (_, i) => ({
  id: offset + i + 1, name: 'bench-' + i, owner: { name: 'procd-cli' },
  state: { kind: 'running', startedAt: NOW - i * 1000 },
  spec: { command: { kind: 'argv', argv: ['sleep', '600'] } },
  health: { score: 100, reasons: [] }, flags: [], ports: [],
  resources: { last: { cpuPercent: cpu, rssBytes: 1_700_000 } },
}));
window.fetch = async () => new Response(JSON.stringify({ readOnly: false, csrfToken: 'x' }));
const table = document.getElementById('jobs');
const tbody = table.tBodies[0];
const time = (fn) => { const t0 = performance.now(); fn(); const t1 = performance.now(); void document.body.offsetHeight; return [t1 - t0, performance.now() - t1]; };
window.benchReady = loadSession().then(() => buildTable({ table, filter: document.getElementById('filter'), jobs: () => jobs, onLogs() {}, onDetails() {} }));
window.benchFirst = () => { jobs = make(0, 1); return time(renderTable); };
window.benchUpdate = (i) => { if (i === 0) { jobs = make(0, 1); renderTable(); } for (const j of jobs) j.resources.last.cpuPercent = i % 2 ? 2.5 : 3.5; return time(renderTable); };
`;

async function bundle(repo) {
  const dir = join(repo, 'client/dashboard/assets');
  const out = await build({ stdin: { contents: HARNESS, resolveDir: dir, loader: 'js' }, bundle: true, write: false, format: 'iife', platform: 'browser', minify: true, logLevel: 'error' });
  return { js: out.outputFiles[0].text, css: readFileSync(join(dir, 'style.css'), 'utf8') };
}

const PAGE = '<!doctype html><html><body><p id="error" hidden></p><input id="filter"><table id="jobs"><thead></thead><tbody></tbody></table><p id="empty" hidden></p></body></html>';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const builds = [{ name: 'this', repo: REPO }, ...(COMPARE ? [{ name: 'compare', repo: COMPARE }] : [])];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const open = async (b) => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.setContent(PAGE);
    await page.addStyleTag({ content: b.css });
    await page.addScriptTag({ content: b.js });
    await page.evaluate('window.benchReady');
    return page;
  };
  for (const b of builds) {
    Object.assign(b, await bundle(b.repo));
    b.page = await open(b);
    b.first = [];
    b.update = [];
  }
  for (let i = 0; i < RENDERS; i++) {
    for (const b of i % 2 === 0 ? builds : [...builds].reverse()) {
      const fresh = await open(b);
      b.first.push(await fresh.evaluate('window.benchFirst()'));
      await fresh.close();
      b.update.push(await b.page.evaluate(`window.benchUpdate(${i})`));
    }
  }
  for (const b of builds) {
    const rows = await b.page.locator('#jobs tbody tr').count();
    const buttons = await b.page.locator('#jobs tbody button[data-action="kill"]').count();
    if (rows !== JOBS || buttons !== JOBS) throw new Error(`${b.name}: ${rows} rows, ${buttons} kill buttons (expected ${JOBS})`);
    const ms = (k, part) => median(b[k].map((t) => (part === 2 ? t[0] + t[1] : t[part]))).toFixed(1);
    console.log(`${b.name} (${b.repo}): ${JOBS} jobs, medians of ${RENDERS}: first render ${ms('first', 2)} ms (script ${ms('first', 0)}, style+layout ${ms('first', 1)}), update after a sample ${ms('update', 2)} ms (script ${ms('update', 0)}, style+layout ${ms('update', 1)})`);
  }
  // Paired: each round's two builds ran back to back, so their ratio is steadier than either median.
  if (COMPARE) {
    const [a, c] = builds;
    const ratio = (k, part) => median(a[k].map((x, i) => x[part] / c[k][i][part])).toFixed(2);
    console.log(`this / compare, median of the rounds' ratios: first render script ${ratio('first', 0)}×, style+layout ${ratio('first', 1)}×; update after a sample script ${ratio('update', 0)}×, style+layout ${ratio('update', 1)}×`);
  }
} finally {
  await browser.close();
}
