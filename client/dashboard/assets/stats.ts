// The stats grid: one cell per state and per flag, as the daemon counts them (GET /api/stats, the
// `stats` method): every job it keeps, also those the page's list leaves out (older finished ones).
// Kept live by re-reading /api/stats on news rather than applying deltas to the counts: a delta
// needs each job's state before the event, which the page does not know for a job it does not
// list (an old job restarted, a removed one), and a wrong count would stay wrong. One `stats` call
// is cheap (counters and the history's tally), and the refresher makes a burst of events one call,
// at most two a second; samples (the bulk of the stream) never trigger one.

import { api } from './api.js';
import { el, showError } from './dom.js';
import { label } from './format.js';
import { FLAG_CELLS, STATES, statsCells, type StatsCounts } from './model.js';
import { makeRefresher } from './refresher.js';

const cells = new Map<string, HTMLElement>();
let grid: HTMLElement | null = null;
/** The event kinds that can change a count: states and flags (not samples, ports, progress). */
const COUNTED = new Set(['job.state', 'job.started', 'job.removed', 'flag.raised', 'flag.cleared', 'subscription.gap']);
const refresher = makeRefresher(() => api<StatsCounts>('/api/stats').then(renderStats, showError), { delayMs: 150, minGapMs: 500 });

/** Builds the grid's cells once (their counts change, the cells stay); the first 'reload' news fills them. */
export function buildStats(root: HTMLElement): void {
  grid = root;
  const make = (key: string, text: string, kind: string) => {
    const cell = el('div', `stat stat-${kind} stat-${key} stat-zero`);
    cell.dataset.key = key;
    const n = el('span', 'stat-count', '–');
    cell.append(n, el('span', 'stat-label', text));
    cells.set(key, n);
    root.append(cell);
  };
  for (const s of STATES) make(s, label(s), 'state');
  for (const c of FLAG_CELLS) make(c.key, c.label, 'flag');
}

/**
 * An event arrived: re-read the counts when it can change them. `reload` (the page read its jobs:
 * first render, reconnect) reads at once — after the table is drawn, so it never delays it.
 */
export function statsNews(kind: string): void {
  if (kind === 'reload') refresher.now();
  else if (COUNTED.has(kind)) refresher.schedule();
}

function renderStats(stats: StatsCounts): void {
  const counts = statsCells(stats);
  for (const [key, node] of cells) {
    const n = String(counts[key] ?? 0);
    if (node.textContent !== n) node.textContent = n;
    node.parentElement?.classList.toggle('stat-zero', n === '0');
  }
  // For tests and scripts: the grid shows the daemon's answer.
  if (grid) grid.dataset.loaded = 'true';
}
