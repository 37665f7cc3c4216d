// The stats grid: one cell per state and per flag, counted from the page's live job map.

import { el } from './dom.js';
import { label } from './format.js';
import { countJobs, FLAG_CELLS, STATES, type JobRow } from './model.js';

const cells = new Map<string, HTMLElement>();

/** Builds the grid's cells once (their counts change, the cells stay). */
export function buildStats(root: HTMLElement): void {
  const make = (key: string, text: string, kind: string) => {
    const cell = el('div', `stat stat-${kind} stat-${key}`);
    cell.dataset.key = key;
    const n = el('span', 'stat-count', '0');
    cell.append(n, el('span', 'stat-label', text));
    cells.set(key, n);
    root.append(cell);
  };
  for (const s of STATES) make(s, label(s), 'state');
  for (const c of FLAG_CELLS) make(c.key, c.label, 'flag');
}

export function renderStats(jobs: Iterable<JobRow>): void {
  const counts = countJobs(jobs);
  for (const [key, node] of cells) {
    const n = String(counts[key] ?? 0);
    if (node.textContent !== n) node.textContent = n;
    node.parentElement?.classList.toggle('stat-zero', n === '0');
  }
}
