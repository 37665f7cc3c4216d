// What one job-table row shows, as plain data: the page builds DOM from it (table.ts) and the
// server the first table's HTML (../page-html.ts), so the row the server sends and the row the
// script draws over it are the same. Pure: no DOM; every string here is text, never markup.

import { formatBytes, formatCpu, formatDuration, label } from './format.js';
import { actionsFor, commandText, cpuOf, elapsedMs, rssOf, type JobRow, type SortKey, type SortOrder } from './model.js';

/** The table's columns: a sort key (null: not sortable) and the header's text. */
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

/** The table's order when the page opens (the server's first table uses it too): newest first. */
export const FIRST_ORDER: SortOrder = { key: 'id', descending: true };

/** An element inside a cell: a button, a link or a badge. */
export interface ItemView {
  tag: 'button' | 'a' | 'span';
  cls: string;
  text: string;
  /** Attribute values (text: escaped or set one by one, never parsed). */
  attrs: Record<string, string>;
}

export interface CellView {
  cls: string;
  text: string;
  title?: string;
  items?: ItemView[];
}

export interface RowView {
  id: number;
  state: string;
  cells: CellView[];
}

const button = (cls: string, text: string, action: string, title?: string): ItemView => ({ tag: 'button', cls, text, attrs: { type: 'button', 'data-action': action, ...(title ? { title } : {}) } });

export function rowView(job: JobRow, now: number, readOnly: boolean): RowView {
  const health: CellView = { cls: 'health num', text: job.health ? String(job.health.score) : '' };
  if (job.health && job.health.score < 100) {
    health.cls += job.health.score < 50 ? ' health-bad' : ' health-warn';
    health.title = job.health.reasons.map((r) => r.why).join('\n');
  }
  const command = commandText(job);
  const ports = (job.ports ?? [])
    .filter((p) => p.protocol === 'tcp')
    .map((p): ItemView => ({ tag: 'a', cls: 'port', text: String(p.port), attrs: { href: `http://127.0.0.1:${Number(p.port)}/`, target: '_blank', rel: 'noopener noreferrer' } }));
  const flags = (job.flags ?? []).map((f): ItemView => ({ tag: 'span', cls: `badge badge-${f.kind} sev-${f.severity ?? 'medium'}`, text: label(f.kind), attrs: {} }));
  const actions = [...actionsFor(job, readOnly), 'logs'].map((verb) => button(verb, verb, verb));
  return {
    id: job.id,
    state: job.state.kind,
    cells: [
      { cls: 'id num', text: String(job.id) },
      { cls: 'name', text: '', items: [button('name-link', job.name, 'details', 'process tree, timeline, baseline')] },
      { cls: 'owner', text: job.owner?.name ?? '' },
      { cls: `state state-${job.state.kind}`, text: label(job.state.kind) },
      health,
      { cls: 'command', text: command, title: command },
      { cls: 'elapsed num', text: formatDuration(elapsedMs(job, now)) },
      { cls: 'cpu num', text: formatCpu(cpuOf(job)) },
      { cls: 'memory num', text: formatBytes(rssOf(job)) },
      { cls: 'ports', text: '', items: ports },
      { cls: 'flags', text: '', items: flags },
      { cls: 'actions', text: '', items: actions },
    ],
  };
}
