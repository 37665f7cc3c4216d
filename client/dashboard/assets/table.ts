// The job table: one row per job (sorted and filtered by model.ts), headers that sort on click,
// actions per row. Redrawn at most once per animation frame however many events arrive; a redraw
// keeps each job's row and buttons (the same nodes) and changes only the cells that changed
// (row-view.ts), so a click is never lost to a redraw and a busy page stays cheap. Kill and
// restart ask for a second click (confirm.ts).

import { act, currentSession } from './api.js';
import { CONFIRM_WINDOW_MS, DESTRUCTIVE, makeConfirmer } from './confirm.js';
import { el, showError } from './dom.js';
import { label } from './format.js';
import { filterJobs, sortJobs, type JobRow, type SortKey, type SortOrder } from './model.js';
import { changedParts, items, rowView, type RowView } from './row-view.js';

export const COLUMNS: readonly { key: SortKey | null; title: string }[] = [
  { key: 'id', title: 'id' },
  { key: 'name', title: 'name' },
  { key: 'owner', title: 'owner' },
  { key: 'state', title: 'state' },
  { key: 'health', title: 'health' },
  { key: 'command', title: 'command' },
  { key: 'elapsed', title: 'elapsed' },
  { key: 'cpu', title: 'CPU' },
  { key: 'memory', title: 'memory' },
  { key: null, title: 'ports' },
  { key: null, title: 'flags' },
  { key: null, title: '' },
];

export interface TableOptions {
  table: HTMLTableElement;
  filter: HTMLInputElement;
  jobs: () => Iterable<JobRow>;
  onLogs: (job: JobRow) => void;
  onDetails: (id: number) => void;
}

/** A drawn row: its nodes, kept while the job is listed, and what they show. */
interface RowNodes {
  tr: HTMLTableRowElement;
  cells: HTMLTableCellElement[];
  nameButton: HTMLButtonElement;
  buttons: Map<string, HTMLButtonElement>;
  view: RowView;
}

/** A row's cells, in COLUMNS' order. */
const enum Cell { Id, Name, Owner, State, Health, Command, Elapsed, Cpu, Memory, Ports, Flags, Actions }

let order: SortOrder = { key: 'id', descending: true };
let options: TableOptions;
let scheduled = false;
const drawn = new Map<number, RowNodes>();
const confirmer = makeConfirmer<HTMLButtonElement>(showArmed);

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
  // One listener for every row's buttons (their buttons carry no closures).
  opts.table.tBodies[0]!.addEventListener('click', onRowClick);
  // Escape or a click anywhere but on the armed button disarms it (capture: before the row's click arms another).
  document.addEventListener('keydown', (e) => void (e.key === 'Escape' && confirmer.disarm()));
  document.addEventListener('click', (e) => void (e.target instanceof Node && !confirmer.armed()?.contains(e.target) && confirmer.disarm()), true);
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
  if (DESTRUCTIVE.has(verb) && confirmer.press(button) === 'armed') return;
  button.disabled = true;
  // The button outlives the action (restart keeps it): usable again once the daemon answered.
  act(id, verb)
    .catch(showError)
    .finally(() => (button.disabled = false));
}

/** An armed button says what a second click does. */
function showArmed(button: HTMLButtonElement, armed: boolean): void {
  const verb = button.dataset.action!;
  button.classList.toggle('armed', armed);
  button.textContent = armed ? `${verb}? click again` : verb;
  button.title = armed ? `click again within ${CONFIRM_WINDOW_MS / 1000} s to ${verb} this job; Escape cancels` : '';
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
  const readOnly = currentSession().readOnly;
  const all = [...options.jobs()];
  const listed = sortJobs(filterJobs(all, options.filter.value), order, now);
  const trs: HTMLTableRowElement[] = [];
  const ids = new Set<number>();
  for (const job of listed) {
    const view = rowView(job, now, readOnly);
    let row = drawn.get(job.id);
    if (row) updateRow(row, view);
    else drawn.set(job.id, (row = newRow(job.id, view)));
    trs.push(row.tr);
    ids.add(job.id);
  }
  placeInOrder(options.table.tBodies[0]!, trs);
  for (const id of drawn.keys()) if (!ids.has(id)) drawn.delete(id);
  if (!confirmer.armed()?.isConnected) confirmer.disarm();
  for (const th of options.table.tHead?.querySelectorAll<HTMLElement>('th[data-sort]') ?? []) {
    th.setAttribute('aria-sort', th.dataset.sort === order.key ? (order.descending ? 'descending' : 'ascending') : 'none');
  }
  const empty = document.getElementById('empty');
  if (empty) empty.hidden = all.length > 0;
}

/**
 * Makes `nodes` the parent's children in that order, moving only the nodes out of place (a node
 * that stays keeps its place, so a pressed button is not even moved) and removing the others.
 */
function placeInOrder(parent: Element, nodes: readonly Element[]): void {
  let cursor = parent.firstElementChild;
  if (!cursor) return parent.append(...nodes); // the first render: one insertion
  for (const node of nodes) {
    if (node === cursor) cursor = cursor.nextElementSibling;
    else parent.insertBefore(node, cursor);
  }
  while (cursor) {
    const next: Element | null = cursor.nextElementSibling;
    cursor.remove();
    cursor = next;
  }
}

/** A row drawn whole the first time (as cheap as drawing it anew each time was). */
function newRow(id: number, view: RowView): RowNodes {
  const tr = el('tr');
  tr.dataset.id = String(id);
  tr.dataset.state = view.state;
  const cells = [
    el('td', 'id num', String(id)),
    el('td', 'name'),
    el('td', 'owner', view.owner),
    el('td', `state state-${view.state}`, view.stateText),
    el('td', healthClass(view), view.health),
    el('td', 'command', view.command),
    el('td', 'elapsed num', view.elapsed),
    el('td', 'cpu num', view.cpu),
    el('td', 'memory num', view.memory),
    el('td', 'ports'),
    el('td', 'flags'),
    el('td', 'actions'),
  ];
  if (view.healthTitle) cells[Cell.Health]!.title = view.healthTitle;
  cells[Cell.Command]!.title = view.command;
  const nameButton = el('button', 'name-link', view.name);
  nameButton.type = 'button';
  nameButton.dataset.action = 'details';
  nameButton.title = 'process tree, timeline, baseline';
  cells[Cell.Name]!.append(nameButton);
  if (view.ports) cells[Cell.Ports]!.append(...items(view.ports).map(portLink));
  if (view.flags) cells[Cell.Flags]!.append(...items(view.flags).map(flagBadge));
  tr.append(...cells);
  const row: RowNodes = { tr, cells, nameButton, buttons: new Map(), view };
  placeButtons(row, items(view.actions));
  return row;
}

const healthClass = (view: RowView): string => `health num${view.healthClass ? ` ${view.healthClass}` : ''}`;

/** Writes only the parts of the row that changed since its last render. */
function updateRow(row: RowNodes, view: RowView): void {
  const c = row.cells;
  for (const part of changedParts(row.view, view)) {
    switch (part) {
      case 'state':
        row.tr.dataset.state = view.state;
        c[Cell.State]!.className = `state state-${view.state}`;
        break;
      case 'stateText': c[Cell.State]!.textContent = view.stateText; break;
      case 'name': row.nameButton.textContent = view.name; break;
      case 'owner': c[Cell.Owner]!.textContent = view.owner; break;
      case 'health': c[Cell.Health]!.textContent = view.health; break;
      case 'healthClass': c[Cell.Health]!.className = healthClass(view); break;
      case 'healthTitle': c[Cell.Health]!.title = view.healthTitle; break;
      case 'command':
        c[Cell.Command]!.textContent = view.command;
        c[Cell.Command]!.title = view.command;
        break;
      case 'elapsed': c[Cell.Elapsed]!.textContent = view.elapsed; break;
      case 'cpu': c[Cell.Cpu]!.textContent = view.cpu; break;
      case 'memory': c[Cell.Memory]!.textContent = view.memory; break;
      case 'ports': c[Cell.Ports]!.replaceChildren(...items(view.ports).map(portLink)); break;
      case 'flags': c[Cell.Flags]!.replaceChildren(...items(view.flags).map(flagBadge)); break;
      case 'actions': placeButtons(row, items(view.actions)); break;
    }
  }
  row.view = view;
}

/** The row's buttons for these verbs: the ones it has stay (the same nodes), new ones are made. */
function placeButtons(row: RowNodes, verbs: readonly string[]): void {
  const buttons = new Map<string, HTMLButtonElement>();
  for (const verb of verbs) buttons.set(verb, row.buttons.get(verb) ?? actionButton(verb));
  row.buttons = buttons;
  placeInOrder(row.cells[Cell.Actions]!, [...buttons.values()]);
}

function portLink(port: string): HTMLAnchorElement {
  const a = el('a', 'port', port);
  a.href = `http://127.0.0.1:${port}/`;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  return a;
}

function flagBadge(flag: string): HTMLSpanElement {
  const [kind = '', severity = 'medium'] = flag.split(':');
  return el('span', `badge badge-${kind} sev-${severity}`, label(kind));
}

function actionButton(verb: string): HTMLButtonElement {
  const b = el('button', verb, verb);
  b.type = 'button';
  b.dataset.action = verb;
  return b;
}
