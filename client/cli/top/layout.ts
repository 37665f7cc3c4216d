// procd top's screen as a pure function: exactly `height` lines, none wider than `width`
// characters, colour only when asked (NO_COLOR gives plain text: no ESC[…m at all). The selected
// row is marked with `>` in the first column (reverse video too, when colour is on), so it shows
// in plain text and in `tmux capture-pane` as well.

import type { JobStateKind } from '../../../shared/job.js';
import { stateColor } from '../format-job.js';
import type { Color } from '../output.js';
import type { Mode } from './keys.js';
import { columns, truncateColumns } from './text-width.js';
import type { Row, SortKey, TopCells } from './view.js';

export interface Frame {
  width: number;
  height: number;
  color: boolean;
  /** The daemon: `pid 123 v0.1.0 up 3m`, or why it cannot be reached. */
  daemon: string;
  counts: ReadonlyMap<JobStateKind, number>;
  total: number;
  rows: readonly Row[];
  selected: number;
  sort: SortKey;
  filter: string;
  mode: Mode;
  /** Show the OWNER column (some job has an owner). */
  owner: boolean;
  message: string;
  /** The selected job's name, for the kill question. */
  confirmOf: string;
}

type Column = keyof TopCells;
interface ColumnSpec {
  key: Column;
  title: string;
  min: number;
  max: number;
  right?: boolean;
}

const COLUMNS: readonly ColumnSpec[] = [
  { key: 'id', title: 'ID', min: 2, max: 7, right: true },
  { key: 'name', title: 'NAME', min: 4, max: 24 },
  { key: 'owner', title: 'OWNER', min: 5, max: 12 },
  { key: 'state', title: 'STATE', min: 5, max: 11 },
  { key: 'health', title: 'HLTH', min: 4, max: 4, right: true },
  { key: 'cpu', title: 'CPU', min: 5, max: 6, right: true },
  { key: 'mem', title: 'MEM', min: 6, max: 9, right: true },
  { key: 'elapsed', title: 'ELAPSED', min: 7, max: 9, right: true },
  { key: 'flags', title: 'FLAGS', min: 5, max: 24 },
  { key: 'command', title: 'COMMAND', min: 7, max: Infinity },
];
/** Columns given up first when the terminal is narrow. */
const DROP_ORDER: readonly Column[] = ['owner', 'health', 'flags', 'elapsed', 'mem'];
const COMMAND_MIN = 12;
const GAP = ' ';
/** Header, status line, column titles above the rows; the key line below. */
export const CHROME_LINES = 4;

export const FOOTER: Record<Mode, string> = {
  table: '↑↓ select  c cpu  m mem  e elapsed  s state  i id  / filter  k kill  r restart  p pause/resume  l/Enter logs  q quit',
  filter: 'type to filter  Enter keep  Esc clear',
  'confirm-kill': 'y kill  any other key: cancel',
  logs: 'Esc/q back  ↑↓ PgUp/PgDn scroll  End follow  Ctrl-C quit',
};

const SGR: Record<Color, [number, number]> = { red: [31, 39], green: [32, 39], yellow: [33, 39], blue: [34, 39], magenta: [35, 39], cyan: [36, 39], gray: [90, 39], bold: [1, 22] };

export function painter(color: boolean): (c: Color | 'reverse', text: string) => string {
  if (!color) return (_c, text) => text;
  return (c, text) => (c === 'reverse' ? `\x1b[7m${text}\x1b[27m` : `\x1b[${SGR[c][0]}m${text}\x1b[${SGR[c][1]}m`);
}

/** How many job rows fit. */
export function pageSize(height: number): number {
  return Math.max(1, height - CHROME_LINES);
}

/** The first row shown so the selected one is on screen (kept in view, centred as little as needed). */
export function firstShown(selected: number, count: number, page: number, previous: number): number {
  if (count <= page) return 0;
  let top = Math.min(previous, count - page);
  if (selected < top) top = selected;
  if (selected >= top + page) top = selected - page + 1;
  return Math.max(0, top);
}

/** The whole screen of the job table. `scroll` is the first row shown. */
export function renderTable(f: Frame, scroll: number): string[] {
  const paint = painter(f.color);
  if (f.width < 20 || f.height < CHROME_LINES + 1) return fill([fit('procd top: the terminal is too small', f.width)], f.height);
  const counts = [...f.counts].map(([k, n]) => paint(stateColor(k), `${n} ${k}`)).join(', ');
  const head = `procd top · ${f.daemon} · ${f.total} job${f.total === 1 ? '' : 's'}${f.total ? `: ${counts}` : ''}`;
  const status = f.mode === 'filter' ? `filter: ${f.filter}█` : f.mode === 'confirm-kill' ? `kill ${f.confirmOf}? (y/n)` : [`sort: ${f.sort}`, f.filter ? `filter: "${f.filter}" (${f.rows.length} of ${f.total})` : '', f.message].filter(Boolean).join(' · ');
  const columns = chooseColumns(f);
  const widths = columnWidths(columns, f.rows, f.width);
  const titles = paint('bold', fit(` ${columns.map((c, i) => cell(c.title, widths[i]!, c.right)).join(GAP)}`, f.width, true));
  const lines = [fitPainted(head, f.width), fit(status, f.width), titles];
  const page = pageSize(f.height);
  for (let i = scroll; i < Math.min(f.rows.length, scroll + page); i++) lines.push(renderRow(f.rows[i]!, columns, widths, i === f.selected, f.width, paint));
  if (!f.rows.length) lines.push(fit(f.total ? '  (no job matches the filter)' : '  (no jobs: start one with procd track -- CMD)', f.width));
  const body = fill(lines, f.height - 1);
  return [...body, paint('gray', fit(FOOTER[f.mode], f.width))];
}

function chooseColumns(f: Frame): ColumnSpec[] {
  let cols = COLUMNS.filter((c) => c.key !== 'owner' || f.owner);
  // What the columns other than COMMAND take at their natural width (NAME may give way to its minimum).
  const need = (cs: readonly ColumnSpec[]) =>
    1 + cs.filter((c) => c.key !== 'command').reduce((s, c) => s + GAP.length + (c.key === 'name' ? c.min : natural(c, f.rows)), 0) + COMMAND_MIN;
  for (const drop of DROP_ORDER) if (need(cols) > f.width) cols = cols.filter((c) => c.key !== drop);
  return cols;
}

function natural(c: ColumnSpec, rows: readonly Row[]): number {
  return Math.min(c.max, Math.max(c.min, len(c.title), ...rows.map((r) => len(r.cells[c.key]))));
}

/** Each column as wide as its widest cell within its bounds; the command gets the rest; NAME gives way first. */
function columnWidths(cols: readonly ColumnSpec[], rows: readonly Row[], width: number): number[] {
  const widths = cols.map((c) => natural(c, rows));
  const last = cols.length - 1;
  const fixed = () => 1 + widths.slice(0, last).reduce((s, w) => s + w + GAP.length, 0);
  const name = cols.findIndex((c) => c.key === 'name');
  if (width - fixed() < COMMAND_MIN && name >= 0) widths[name] = Math.max(cols[name]!.min, widths[name]! - (COMMAND_MIN - (width - fixed())));
  widths[last] = Math.max(1, width - fixed());
  return widths;
}

function renderRow(row: Row, cols: readonly ColumnSpec[], widths: readonly number[], selected: boolean, width: number, paint: ReturnType<typeof painter>): string {
  // Cells are cut to the room left before colour is added, so no line is wider than the terminal.
  let room = width - 1;
  let line = selected ? '>' : ' ';
  for (let i = 0; i < cols.length && room > 0; i++) {
    const c = cols[i]!;
    const sep = i === 0 ? '' : GAP;
    const w = Math.min(widths[i]!, room - sep.length);
    if (w <= 0) break;
    const text = cell(row.cells[c.key], w, c.right);
    room -= sep.length + w;
    line += sep + (selected ? text : colorCell(row, c.key, text, paint));
  }
  // The selected row in reverse video across the whole width (colour only); `>` marks it either way.
  return selected ? paint('reverse', fit(line, width, true)) : line;
}

function colorCell(row: Row, key: Column, text: string, paint: ReturnType<typeof painter>): string {
  if (key === 'state') return paint(stateColor(row.state), text);
  if (key === 'flags' && row.cells.flags) return paint(row.alarming ? 'red' : 'yellow', text);
  if (key === 'health' && row.alarming && row.cells.health !== '-') return paint('red', text);
  return text;
}

/** `text` cut (with …) or padded to exactly `w` characters. */
export function cell(text: string, w: number, right = false): string {
  const t = truncate(text, w);
  const pad = ' '.repeat(Math.max(0, w - len(t)));
  return right ? pad + t : t + pad;
}

/** At most `w` columns, `…` where it was cut. */
export function truncate(text: string, w: number): string {
  return truncateColumns(text, w);
}

/** One line within the width; `pad` fills it to the width (for reverse video across it). */
export function fit(text: string, width: number, pad = false): string {
  const t = truncate(text, width);
  return pad ? t + ' '.repeat(Math.max(0, width - len(t))) : t;
}

/** A line with colour codes in it, cut to the width counting only what shows. */
function fitPainted(text: string, width: number): string {
  // Too wide: the plain text, cut (cutting between colour codes could leave one open).
  return visibleLength(text) <= width ? text : fit(text.replace(/\x1b\[[0-9;]*m/g, ''), width);
}

export function visibleLength(text: string): number {
  return len(text.replace(/\x1b\[[0-9;]*m/g, ''));
}

function fill(lines: string[], height: number): string[] {
  const out = lines.slice(0, height);
  while (out.length < height) out.push('');
  return out;
}

function len(text: string): number {
  return columns(text);
}

export interface LogFrame {
  width: number;
  height: number;
  color: boolean;
  title: string;
  lines: readonly string[];
  /** Lines scrolled back from the end (0: the newest at the bottom). */
  scroll: number;
  status: string;
}

/** The log pane: a title, the last lines that fit (or earlier ones when scrolled back), the keys. */
export function renderLogs(f: LogFrame): string[] {
  const paint = painter(f.color);
  const room = Math.max(1, f.height - 2);
  const scroll = Math.min(f.scroll, Math.max(0, f.lines.length - room));
  const end = f.lines.length - scroll;
  const shown = f.lines.slice(Math.max(0, end - room), end).map((l) => fit(l, f.width));
  const where = scroll ? `scrolled back ${scroll} line${scroll === 1 ? '' : 's'}` : 'following';
  const title = paint('bold', fit(`${f.title} · ${where}${f.status ? ` · ${f.status}` : ''}`, f.width, true));
  return [title, ...fill(shown, room), paint('gray', fit(FOOTER.logs, f.width))].slice(0, f.height);
}
