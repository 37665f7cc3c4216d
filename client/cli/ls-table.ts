// The `ls` table as a pure function of the jobs, the time and the terminal width: every line fits
// the width (a long name is shortened, the command gets what is left, nothing wraps), finished
// jobs say when they ended instead of a stale CPU/MEM reading, and the `!` marks are explained.

import { portsText } from '../../shared/ports.js';
import { isTerminal, wasStopped } from '../../shared/job.js';
import type { JobRow } from '../../shared/job-row.js';
import { commandOf, cpuText, elapsed, exitText, flagText, kindText, memText, pidText, stateColor, stateText } from './format-job.js';
import { ago } from './format-time.js';
import { healthText, probeSuffix } from './format-probes.js';
import { progressSuffix } from './format-progress.js';
import { queueSuffix, treeName, treeOrder } from './format-queue.js';
import { lastRunExit, lsState, pendingRestart } from './format-restart.js';
import type { Color } from './output.js';

export interface LsLayout {
  now: number;
  /** Columns of the terminal (or COLUMNS); every line stays within it. */
  width: number;
  /** On a terminal the `!` legend is shown (when a mark is); a pipe gets only the rows and the hidden count. */
  tty: boolean;
  /** --wide: a HEALTH column (the score 0–100 of each job with a live process) and PORTS (what its tree listens on). */
  wide?: boolean;
  /** --tree: dependants under the jobs they depend on (`--after`), indented. */
  tree?: boolean;
  /** Older finished jobs the default view left out (0 with --all or --state). */
  hiddenFinished: number;
  paint(color: Color, text: string): string;
}

/** A cell, or null where the cell to its left spans over it. */
type Cell = string | null;

const NAME = 1;
const STATE = 2;
const CPU = 6;
const MEM = 7;
const NAME_MIN = 4;
const COMMAND_MIN = 10;
/** An owner is a label: a long one is cut rather than take the command's room. */
const OWNER_MAX = 16;

/** The lines `procd ls` prints for these jobs. */
export function renderLs(listed: readonly JobRow[], o: LsLayout): string[] {
  // Without --tree the jobs keep their order at depth 0 (no per-job objects for that).
  const ordered = o.tree ? treeOrder(listed) : null;
  const jobs = ordered ? ordered.map((t) => t.job) : listed;
  const depths = ordered?.map((t) => t.depth);
  const withFlags = jobs.some((j) => j.flags.length > 0);
  // Tasks are the default: the KIND column (svc / task) appears once a service is listed.
  const withKind = jobs.some((j) => j.spec.kind === 'service');
  // One owner (or none recorded) says nothing per row: the OWNER column appears once two are listed.
  const firstOwner = jobs[0]?.owner?.name ?? '';
  const withOwner = jobs.some((j) => (j.owner?.name ?? '') !== firstOwner);
  const wide = o.wide === true;
  const headers = ['ID', 'NAME', 'STATE', 'PID', 'TIME', 'EXIT', 'CPU', 'MEM'];
  if (wide) headers.push('HEALTH', 'PORTS');
  if (withFlags) headers.push('FLAGS');
  if (withKind) headers.push('KIND');
  if (withOwner) headers.push('OWNER');
  headers.push('COMMAND');
  const last = headers.length - 1;
  // Loops into arrays of their final size rather than spreads and map chains: a 100-job table's
  // render allocated ~330 KB of young generation that way (now ~145 KB), and ran slower cold.
  const rows: Cell[][] = new Array(jobs.length);
  for (let n = 0; n < jobs.length; n++) {
    const j = jobs[n]!;
    const row: Cell[] = new Array(headers.length);
    // A job waiting to restart: `restarting ↻2`, when (TIME) and how its last run ended (EXIT).
    const restart = pendingRestart(j);
    row[0] = String(j.id);
    row[1] = treeName(j.name, depths?.[n] ?? 0);
    row[2] = lsState(j, stateText(j)) + probeSuffix(j) + queueSuffix(j) + progressSuffix(j);
    row[3] = pidText(j);
    row[4] = restart ? ago(restart.at, o.now) : elapsed(j, o.now);
    row[5] = lastRunExit(j) ?? exitText(j);
    // A finished job's last reading is not "now": it says when it ended, across CPU and MEM.
    if (isTerminal(j.state)) {
      row[CPU] = `ended ${ago(j.state.endedAt, o.now)}`;
      row[MEM] = null;
    } else {
      row[CPU] = cpuText(j);
      row[MEM] = memText(j);
    }
    let i = MEM + 1;
    if (wide) {
      row[i++] = healthText(j);
      row[i++] = portsText(j.ports ?? []) || '-';
    }
    if (withFlags) row[i++] = flagText(j);
    if (withKind) row[i++] = kindText(j);
    if (withOwner) row[i++] = shorten(j.owner?.name ?? '-', OWNER_MAX);
    row[i] = commandOf(j);
    rows[n] = row;
  }
  const natural = headers.map(len);
  let spanned = 0;
  for (const r of rows) {
    for (let i = 0; i < natural.length; i++) if (r[i + 1] !== null) natural[i] = Math.max(natural[i]!, len(r[i] ?? ''));
    if (r[MEM] === null) spanned = Math.max(spanned, len(r[CPU] ?? ''));
  }
  // Two spaces between columns when everything fits; one (as ps does) rather than cut more of the command.
  let sep = '  ';
  let widths = layout(natural, spanned, sep, o.width);
  if (widths[NAME]! < natural[NAME]! || widths[last]! < natural[last]!) widths = layout(natural, spanned, (sep = ' '), o.width);

  const flagsColumn = withFlags ? headers.indexOf('FLAGS') : -1;
  const lines = [fit(headers, widths, sep, o.width, null)];
  for (let n = 0; n < rows.length; n++) lines.push(fit(rows[n]!, widths, sep, o.width, { job: jobs[n]!, flagsColumn, paint: o.paint }));
  for (const note of notes(jobs, o)) lines.push(o.paint('gray', shorten(note, o.width)));
  return lines;
}

/** The legend of the `!` marks shown (on a terminal) and how many finished jobs are not shown. */
function notes(jobs: readonly JobRow[], o: LsLayout): string[] {
  const out: string[] = [];
  if (o.tty) {
    const forced = jobs.some((j) => wasStopped(j.state) && j.state.forced);
    const high = jobs.some((j) => j.flags.some((f) => f.severity === 'high' && f.kind !== 'leftovers' && f.kind !== 'zombie'));
    const marks = [...(forced ? ['after a state: processes needed SIGKILL after the grace'] : []), ...(high ? ['after a flag: high severity'] : [])];
    if (marks.length) out.push(`! ${marks.join('; ')}`);
  }
  const n = o.hiddenFinished;
  if (n > 0) out.push(`${n} older finished job${n === 1 ? ' is' : 's are'} not shown (procd ls --all shows every job)`);
  return out;
}

/** Column widths: NAME and COMMAND share what the other columns leave; the command gets two thirds. */
function layout(natural: readonly number[], spanned: number, sep: string, width: number): number[] {
  const widths = [...natural];
  const last = widths.length - 1;
  // "ended 3m ago" spans CPU and MEM: MEM grows when the two are too narrow for it.
  widths[MEM] = Math.max(widths[MEM]!, spanned - widths[CPU]! - sep.length);
  const others = widths.reduce((sum, w, i) => (i === NAME || i === last ? sum : sum + w), 0) + sep.length * last;
  const avail = width - others;
  const name = widths[NAME]!;
  if (name + widths[last]! <= avail) return widths;
  widths[NAME] = Math.min(name, Math.max(NAME_MIN, Math.floor(avail / 3)));
  widths[last] = Math.max(COMMAND_MIN, avail - widths[NAME]!);
  return widths;
}

function cellColor(job: JobRow, i: number, flagsColumn: number): Color | undefined {
  if (i === STATE) return stateColor(job.state.kind);
  if (i === CPU && isTerminal(job.state)) return 'gray';
  if (i === flagsColumn) return 'yellow';
  return undefined;
}

/** How a row's cells are coloured (the header has none). */
interface RowPaint {
  job: JobRow;
  flagsColumn: number;
  paint: LsLayout['paint'];
}

/** One line: cells padded or shortened to their column, cut at the width, colour added last. */
function fit(cells: readonly Cell[], widths: readonly number[], gap: string, width: number, row: RowPaint | null): string {
  const last = cells.length - 1;
  let room = width;
  let line = '';
  let trailing = 0;
  for (let i = 0; i < cells.length && room > 0; i++) {
    const cell = cells[i];
    if (cell === null || cell === undefined) continue;
    const w = cells[i + 1] === null ? widths[i]! + gap.length + widths[i + 1]! : widths[i]!;
    const sep = i === 0 ? '' : gap;
    const text = shorten(cell, Math.min(w, room - sep.length));
    const fill = i === last ? 0 : Math.max(0, Math.min(w, room - sep.length) - len(text));
    room -= sep.length + len(text) + fill;
    const c = row ? cellColor(row.job, i, row.flagsColumn) : undefined;
    if (trailing > 0 || sep) line += spaces(trailing + sep.length);
    trailing = 0;
    if (c && text && row) {
      line += row.paint(c, fill ? text + spaces(fill) : text);
    } else {
      line += text;
      // Padding after the last text is left out (the line ends there), as trimEnd() did.
      trailing = fill;
    }
  }
  return line.trimEnd();
}

/** `web-server-fro…`: at most `w` characters. */
function shorten(text: string, w: number): string {
  if (!SURROGATE.test(text)) return text.length <= w ? text : w <= 0 ? '' : `${text.slice(0, w - 1)}…`;
  const chars = [...text];
  if (chars.length <= w) return text;
  return w <= 0 ? '' : `${chars.slice(0, w - 1).join('')}…`;
}

/** Runs of spaces, made once per length: a table pads every cell with one of a few lengths. */
const SPACES: string[] = [];
function spaces(n: number): string {
  return (SPACES[n] ??= ' '.repeat(n));
}

/** Characters (code points) in `text`. Most cells have no surrogate pair: counting those by
 * `.length` saves spreading every cell of a 100-job table into an array on each `procd ls`. */
function len(text: string): number {
  return SURROGATE.test(text) ? [...text].length : text.length;
}

const SURROGATE = /[\uD800-\uDFFF]/;
