// What one row of the job table shows, as plain strings, and which of them changed since the last
// render. The table (table.ts) keeps each row's DOM nodes across renders and touches only the
// cells named here: a button under the pointer must stay the same node, or a click whose mousedown
// and mouseup straddle a render is lost. No DOM here, so unit tests run it.

import { formatBytes, formatCpu, formatDuration, label } from './format.js';
import { actionsFor, commandText, cpuOf, elapsedMs, rssOf, type JobRow } from './model.js';

export interface RowView {
  /** The state's kind: the row's data-state and the state cell's class. */
  state: string;
  stateText: string;
  name: string;
  owner: string;
  health: string;
  /** '', 'health-warn' or 'health-bad'. */
  healthClass: string;
  /** Why the score is below 100, one reason a line. */
  healthTitle: string;
  command: string;
  elapsed: string;
  cpu: string;
  memory: string;
  /** The TCP ports, space-separated (each a link). */
  ports: string;
  /** The flags as `kind:severity`, space-separated (each a badge). */
  flags: string;
  /** The buttons in order, space-separated (`kill restart pause logs`). */
  actions: string;
}

export type RowPart = keyof RowView;

const PARTS: readonly RowPart[] = ['state', 'stateText', 'name', 'owner', 'health', 'healthClass', 'healthTitle', 'command', 'elapsed', 'cpu', 'memory', 'ports', 'flags', 'actions'];

export function rowView(job: JobRow, now: number, readOnly: boolean): RowView {
  const score = job.health?.score;
  return {
    state: job.state.kind,
    stateText: label(job.state.kind),
    name: job.name,
    owner: job.owner?.name ?? '',
    health: score === undefined ? '' : String(score),
    healthClass: score === undefined || score >= 100 ? '' : score < 50 ? 'health-bad' : 'health-warn',
    healthTitle: score === undefined || score >= 100 ? '' : (job.health?.reasons ?? []).map((r) => r.why).join('\n'),
    command: commandText(job),
    elapsed: formatDuration(elapsedMs(job, now)),
    cpu: formatCpu(cpuOf(job)),
    memory: formatBytes(rssOf(job)),
    ports: (job.ports ?? []).filter((p) => p.protocol === 'tcp').map((p) => String(p.port)).join(' '),
    flags: (job.flags ?? []).map((f) => `${f.kind}:${f.severity ?? 'medium'}`).join(' '),
    actions: [...actionsFor(job, readOnly), 'logs'].join(' '),
  };
}

/** The parts that differ (every part for a row not drawn before). */
export function changedParts(before: RowView | undefined, after: RowView): RowPart[] {
  if (!before) return [...PARTS];
  return PARTS.filter((p) => before[p] !== after[p]);
}

/** A space-separated list part (`ports`, `flags`, `actions`) as its items. */
export const items = (part: string): string[] => (part ? part.split(' ') : []);
