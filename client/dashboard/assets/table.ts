// The job table: one row per job (sorted and filtered by model.ts), headers that sort on click,
// actions per row. Rebuilt at most once per animation frame however many events arrive.

import { act, currentSession } from './api.js';
import { el, showError } from './dom.js';
import { filterJobs, sortJobs, type JobRow, type SortKey, type SortOrder } from './model.js';
import { COLUMNS, FIRST_ORDER, rowView } from './row-view.js';

export { COLUMNS } from './row-view.js';

export interface TableOptions {
  table: HTMLTableElement;
  filter: HTMLInputElement;
  jobs: () => Iterable<JobRow>;
  onLogs: (job: JobRow) => void;
  onDetails: (id: number) => void;
}

let order: SortOrder = FIRST_ORDER;
let options: TableOptions;
let scheduled = false;

export function buildTable(opts: TableOptions): void {
  options = opts;
  const tr = el('tr');
  for (const col of COLUMNS) {
    const th = el('th', col.key ? 'sortable' : '', col.title);
    if (col.key) {
      const key = col.key;
      th.dataset.sort = key;
      th.tabIndex = 0;
      const sortBy = () => {
        order = { key, descending: order.key === key ? !order.descending : key === 'id' };
        renderTable();
      };
      th.addEventListener('click', sortBy);
      th.addEventListener('keydown', (e) => void ((e.key === 'Enter' || e.key === ' ') && sortBy()));
    }
    tr.append(th);
  }
  opts.table.tHead?.replaceChildren(tr);
  opts.filter.addEventListener('input', () => renderTable());
  // One listener for every row's buttons (rows are rebuilt often; their buttons carry no closures).
  opts.table.tBodies[0]!.addEventListener('click', onRowClick);
}

function onRowClick(e: MouseEvent): void {
  const button = (e.target as Element).closest('button[data-action]');
  const id = Number(button?.closest('tr')?.getAttribute('data-id'));
  if (!(button instanceof HTMLButtonElement) || !Number.isInteger(id)) return;
  const verb = button.dataset.action!;
  if (verb === 'details') return options.onDetails(id);
  if (verb === 'logs') {
    const job = [...options.jobs()].find((j) => j.id === id);
    if (job) options.onLogs(job);
    return;
  }
  button.disabled = true;
  act(id, verb).catch((err: unknown) => {
    button.disabled = false;
    showError(err);
  });
}

/** Asks for a redraw on the next frame (many events in one frame make one redraw). */
export function scheduleTable(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    renderTable();
  });
}

export function renderTable(): void {
  const now = Date.now();
  const all = [...options.jobs()];
  const rows = sortJobs(filterJobs(all, options.filter.value), order, now);
  const tbody = options.table.tBodies[0]!;
  tbody.replaceChildren(...rows.map((job) => renderRow(job, now)));
  for (const th of options.table.tHead?.querySelectorAll<HTMLElement>('th[data-sort]') ?? []) {
    th.setAttribute('aria-sort', th.dataset.sort === order.key ? (order.descending ? 'descending' : 'ascending') : 'none');
  }
  const empty = document.getElementById('empty');
  if (empty) empty.hidden = all.length > 0;
}

function renderRow(job: JobRow, now: number): HTMLTableRowElement {
  const view = rowView(job, now, currentSession().readOnly);
  const tr = el('tr');
  tr.dataset.id = String(view.id);
  tr.dataset.state = view.state;
  for (const c of view.cells) {
    const td = el('td', c.cls, c.text);
    if (c.title !== undefined) td.title = c.title;
    for (const item of c.items ?? []) {
      const node = el(item.tag, item.cls, item.text);
      for (const [k, v] of Object.entries(item.attrs)) node.setAttribute(k, v);
      td.append(node);
    }
    tr.append(td);
  }
  return tr;
}
