// The page as the server sends it: index.html with the first job table already in it (so the jobs
// are on screen at the first paint, before any script runs) and the data the script starts from
// (session and jobs) as a JSON data block, which the CSP allows since it is never executed. Job
// names, commands and owners are hostile: every text and attribute value goes through escapeHtml,
// and the JSON cannot end its block (`<` is written as \u003c).

import { COLUMNS, FIRST_ORDER, rowView, type ItemView } from './assets/row-view.js';
import { sortJobs, type JobRow } from './assets/model.js';

/** Where the template takes the rows and the data (assets/index.html). */
export const HEAD_MARK = '<!--procd:head-->';
export const ROWS_MARK = '<!--procd:rows-->';
export const DATA_MARK = '<!--procd:initial-->';
/** The id of the JSON data block (read by assets/app.ts). */
export const DATA_ID = 'procd-initial';

export interface InitialData {
  session: { readOnly: boolean; csrfToken: string; version: string; daemonVersion: string | null };
  /** Null: the daemon did not answer (the page asks /api/jobs itself). */
  jobs: readonly JobRow[] | null;
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML: safe as element content and as a double- or single-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** JSON for a `<script type="application/json">` block: nothing in it can close the block or open a comment. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function itemHtml(item: ItemView): string {
  const attrs = Object.entries(item.attrs).map(([k, v]) => ` ${k}="${escapeHtml(v)}"`).join('');
  return `<${item.tag} class="${escapeHtml(item.cls)}"${attrs}>${escapeHtml(item.text)}</${item.tag}>`;
}

/**
 * The first table's rows, in the page's first order. The last row's id cell carries
 * `elementtiming`, so a browser reports when the whole table was painted (bench/dashboard-render.mjs).
 */
export function rowsHtml(jobs: readonly JobRow[], now: number, readOnly: boolean): string {
  const rows = sortJobs(jobs, FIRST_ORDER, now).map((job, i, all) => {
    const view = rowView(job, now, readOnly);
    const cells = view.cells.map((c, n) => {
      const title = c.title === undefined ? '' : ` title="${escapeHtml(c.title)}"`;
      const timing = n === 0 && i === all.length - 1 ? ' elementtiming="procd-last-row"' : '';
      return `<td class="${escapeHtml(c.cls)}"${title}${timing}>${escapeHtml(c.text)}${(c.items ?? []).map(itemHtml).join('')}</td>`;
    });
    return `<tr data-id="${view.id}" data-state="${escapeHtml(view.state)}">${cells.join('')}</tr>`;
  });
  return rows.join('\n');
}

/** The header row as the script draws it (table.ts), so the table does not move when it takes over. */
export function headHtml(): string {
  const cells = COLUMNS.map((c) => {
    if (!c.key) return `<th class="">${escapeHtml(c.title)}</th>`;
    const sort = c.key === FIRST_ORDER.key ? (FIRST_ORDER.descending ? 'descending' : 'ascending') : 'none';
    return `<th class="sortable" data-sort="${c.key}" tabindex="0" aria-sort="${sort}">${escapeHtml(c.title)}</th>`;
  });
  return `<tr>${cells.join('')}</tr>`;
}

/** index.html with the header, the rows and the data block in place of its marks. */
export function renderPage(template: string, data: InitialData, now: number): string {
  const rows = data.jobs ? rowsHtml(data.jobs, now, data.session.readOnly) : '';
  const block = `<script type="application/json" id="${DATA_ID}">${jsonForScript(data)}</script>`;
  // Functions as replacements: a `$&` in job text must not be read as a pattern.
  return template.replace(HEAD_MARK, headHtml).replace(ROWS_MARK, () => rows).replace(DATA_MARK, () => block);
}
