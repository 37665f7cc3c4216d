// procd top's keyboard: raw terminal input split into keys, and each key turned into a new UI
// state plus at most one effect for the acting layer (kill, restart, pause, open logs, quit).
// Pure: tested without a terminal.

import type { JobStateKind } from '../../../shared/job.js';
import type { SortKey } from './view.js';

export type Key = 'up' | 'down' | 'left' | 'right' | 'pageup' | 'pagedown' | 'home' | 'end' | 'enter' | 'escape' | 'backspace' | 'tab' | 'ctrl-c' | 'ctrl-l' | 'unknown' | { char: string };

const CSI: Record<string, Key> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', '1~': 'home', '7~': 'home', '4~': 'end', '8~': 'end', '5~': 'pageup', '6~': 'pagedown' };

/** The keys in one chunk of terminal input (a chunk holds a whole escape sequence: terminals, tmux and ssh send each at once). */
export function parseKeys(data: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < data.length) {
    const rest = data.slice(i);
    const seq = /^\x1b(?:\[([0-9;]*)([A-Za-z~])|O([A-Za-z]))/.exec(rest);
    if (seq) {
      // `ESC [ 1 ; 5 A` (with modifiers) is still an arrow; `ESC [ 5 ~` is Page Up.
      const final = seq[3] ?? seq[2]!;
      const code = final === '~' ? `${(seq[1] ?? '').split(';')[0]}~` : final;
      keys.push(CSI[code] ?? 'unknown');
      i += seq[0].length;
      continue;
    }
    const ch = String.fromCodePoint(rest.codePointAt(0)!);
    i += ch.length;
    if (ch === '\x1b') keys.push('escape');
    else if (ch === '\r' || ch === '\n') keys.push('enter');
    else if (ch === '\x7f' || ch === '\b') keys.push('backspace');
    else if (ch === '\t') keys.push('tab');
    else if (ch === '\x03') keys.push('ctrl-c');
    else if (ch === '\x0c') keys.push('ctrl-l');
    else if (ch === '\x10') keys.push('up'); // Ctrl-P
    else if (ch === '\x0e') keys.push('down'); // Ctrl-N
    else if (/\p{Cc}/u.test(ch)) keys.push('unknown');
    else keys.push({ char: ch });
  }
  return keys;
}

export type Mode = 'table' | 'filter' | 'confirm-kill' | 'logs';

export interface UiState {
  mode: Mode;
  sort: SortKey;
  filter: string;
  /** The selected job, by id, so it stays selected when the order changes. */
  selected: number | null;
  /** The job whose log pane is open. */
  logsOf: number | null;
  /** Lines scrolled back from the end of the log pane (0: following). */
  logScroll: number;
  /** A one-line note in the status line (what an action did, why a key did nothing). */
  message: string;
}

export const INITIAL_UI: UiState = { mode: 'table', sort: 'id', filter: '', selected: null, logsOf: null, logScroll: 0, message: '' };

export type Effect =
  | { kind: 'quit' }
  | { kind: 'redraw' }
  | { kind: 'kill' | 'restart' | 'pause' | 'resume' | 'open-logs'; id: number }
  | { kind: 'close-logs' };

/** What a key needs to know of the rows shown: their ids and states, in display order. */
export interface ShownRow {
  id: number;
  name: string;
  state: JobStateKind;
}

export interface KeyResult {
  ui: UiState;
  effect: Effect | null;
}

const SORT_BY_CHAR: Record<string, SortKey> = { c: 'cpu', m: 'mem', e: 'elapsed', s: 'state', i: 'id' };

/** The index of the selected row (the first when the selected job is not shown), -1 with no rows. */
export function selectedIndex(ui: UiState, rows: readonly ShownRow[]): number {
  if (!rows.length) return -1;
  const i = rows.findIndex((r) => r.id === ui.selected);
  return i < 0 ? 0 : i;
}

/** The key's new UI state and effect; `page` is how many rows fit on the screen. */
export function onKey(ui: UiState, key: Key, rows: readonly ShownRow[], page: number): KeyResult {
  if (key === 'ctrl-c') return { ui, effect: { kind: 'quit' } };
  if (key === 'ctrl-l') return { ui, effect: { kind: 'redraw' } };
  switch (ui.mode) {
    case 'filter':
      return filterKey(ui, key);
    case 'confirm-kill':
      return confirmKey(ui, key, rows);
    case 'logs':
      return logsKey(ui, key, page);
    case 'table':
      return tableKey({ ...ui, message: '' }, key, rows, page);
  }
}

function tableKey(ui: UiState, key: Key, rows: readonly ShownRow[], page: number): KeyResult {
  const at = selectedIndex(ui, rows);
  const select = (i: number): KeyResult => ({ ui: { ...ui, selected: rows.length ? rows[Math.max(0, Math.min(rows.length - 1, i))]!.id : null }, effect: null });
  const none = (message = ''): KeyResult => ({ ui: { ...ui, message }, effect: null });
  const job = at >= 0 ? rows[at]! : null;
  if (key === 'up') return select(at - 1);
  if (key === 'down') return select(at + 1);
  if (key === 'pageup') return select(at - Math.max(1, page - 1));
  if (key === 'pagedown') return select(at + Math.max(1, page - 1));
  if (key === 'home') return select(0);
  if (key === 'end') return select(rows.length - 1);
  if (key === 'escape') return none();
  if (key === 'enter') return job ? { ui: { ...ui, mode: 'logs', logsOf: job.id, logScroll: 0, selected: job.id }, effect: { kind: 'open-logs', id: job.id } } : none('no job selected');
  if (typeof key !== 'object') return none();
  const ch = key.char;
  if (ch === 'q') return { ui, effect: { kind: 'quit' } };
  const sort = SORT_BY_CHAR[ch];
  if (sort) return { ui: { ...ui, sort }, effect: null };
  if (ch === '/') return { ui: { ...ui, mode: 'filter' }, effect: null };
  if (ch === 'g') return select(0);
  if (ch === 'G') return select(rows.length - 1);
  if (!job) return none(ch === 'k' || ch === 'r' || ch === 'p' || ch === 'l' ? 'no job selected' : '');
  const tag = `job ${job.id} (${job.name})`;
  switch (ch) {
    case 'k':
      if (!isLiveKind(job.state)) return none(`${tag} has ended: nothing to kill`);
      return { ui: { ...ui, mode: 'confirm-kill', selected: job.id }, effect: null };
    case 'r':
      return { ui: { ...ui, selected: job.id }, effect: { kind: 'restart', id: job.id } };
    case 'p':
      if (job.state === 'paused') return { ui: { ...ui, selected: job.id }, effect: { kind: 'resume', id: job.id } };
      if (job.state !== 'running') return none(`${tag} is ${job.state}: only a running job can be paused`);
      return { ui: { ...ui, selected: job.id }, effect: { kind: 'pause', id: job.id } };
    case 'l':
      return { ui: { ...ui, mode: 'logs', logsOf: job.id, logScroll: 0, selected: job.id }, effect: { kind: 'open-logs', id: job.id } };
    default:
      return none();
  }
}

function isLiveKind(state: JobStateKind): boolean {
  return state === 'queued' || state === 'starting' || state === 'running' || state === 'paused';
}

function filterKey(ui: UiState, key: Key): KeyResult {
  if (key === 'enter') return { ui: { ...ui, mode: 'table' }, effect: null };
  if (key === 'escape') return { ui: { ...ui, mode: 'table', filter: '' }, effect: null };
  if (key === 'backspace') return { ui: { ...ui, filter: [...ui.filter].slice(0, -1).join('') }, effect: null };
  if (typeof key === 'object') return { ui: { ...ui, filter: ui.filter + key.char }, effect: null };
  return { ui, effect: null };
}

function confirmKey(ui: UiState, key: Key, rows: readonly ShownRow[]): KeyResult {
  const back = { ...ui, mode: 'table' as const };
  const job = rows.find((r) => r.id === ui.selected);
  if (typeof key === 'object' && (key.char === 'y' || key.char === 'Y') && job) return { ui: { ...back, message: `killing job ${job.id} (${job.name})…` }, effect: { kind: 'kill', id: job.id } };
  return { ui: { ...back, message: job ? 'kill cancelled' : 'the job is no longer shown: kill cancelled' }, effect: null };
}

function logsKey(ui: UiState, key: Key, page: number): KeyResult {
  const close: KeyResult = { ui: { ...ui, mode: 'table', logsOf: null, logScroll: 0 }, effect: { kind: 'close-logs' } };
  const scroll = (by: number): KeyResult => ({ ui: { ...ui, logScroll: Math.max(0, ui.logScroll + by) }, effect: null });
  if (key === 'escape' || key === 'left') return close;
  if (key === 'up') return scroll(1);
  if (key === 'down') return scroll(-1);
  if (key === 'pageup') return scroll(Math.max(1, page - 1));
  if (key === 'pagedown') return scroll(-Math.max(1, page - 1));
  if (key === 'end') return scroll(-ui.logScroll);
  if (typeof key === 'object') {
    if (key.char === 'q' || key.char === 'l') return close;
    if (key.char === 'G' || key.char === 'f') return scroll(-ui.logScroll);
  }
  return { ui, effect: null };
}
