// The server's first table (client/dashboard/page-html.ts): hostile job text comes out as inert
// text — no element, attribute or script of its own — and the JSON data block cannot be closed
// from inside. (test/e2e/dashboard-first-paint.test.ts checks the same in a real browser.)

import { describe, expect, it } from 'vitest';
import type { JobRow } from '../../../client/dashboard/assets/model.js';
import { DATA_MARK, escapeHtml, HEAD_MARK, jsonForScript, renderPage, ROWS_MARK, rowsHtml } from '../../../client/dashboard/page-html.js';

const HOSTILE = `</script><script>alert(1)</script><img src=x onerror=alert(2)> "quoted" 'single' & $& $' <!-- \u2028`;

const job = (id: number, over: Partial<JobRow> = {}): JobRow => ({
  id,
  name: `job-${id}`,
  state: { kind: 'running', startedAt: 1_000 },
  spec: { command: { kind: 'argv', argv: ['sleep', '300'] } },
  ...over,
});

describe('escapeHtml', () => {
  it('turns every character that could start markup or end an attribute into an entity', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('plain text 123')).toBe('plain text 123');
  });
});

describe('rowsHtml', () => {
  const hostile = job(7, { name: HOSTILE, owner: { name: HOSTILE }, spec: { command: { kind: 'argv', argv: ['sh', '-c', HOSTILE] } }, state: { kind: `running" onclick="alert(3)`, startedAt: 1_000 } });
  const html = rowsHtml([job(1), hostile, job(3)], 61_000, false);

  it('has no tag, attribute or entity of the job text of its own', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<!--');
    // Every tag is one of the table's own, every attribute one the row view sets.
    const tags = new Set([...html.matchAll(/<\/?([a-z]+)/g)].map((m) => m[1]));
    expect([...tags].sort()).toEqual(['button', 'td', 'tr']);
    const attrs = new Set([...html.matchAll(/ ([a-z-]+)="/g)].map((m) => m[1]));
    expect([...attrs].sort()).toEqual(['class', 'data-action', 'data-id', 'data-state', 'elementtiming', 'title', 'type']);
    expect(html).toContain(escapeHtml(HOSTILE));
  });

  it('orders rows as the page does (newest first) and marks the last row for element timing', () => {
    expect([...html.matchAll(/data-id="(\d+)"/g)].map((m) => m[1])).toEqual(['7', '3', '1']);
    expect(html.split('\n').at(-1)).toContain('elementtiming="procd-last-row"');
    expect(html.match(/elementtiming/g)).toHaveLength(1);
  });

  it('offers no action buttons but logs when read-only', () => {
    const ro = rowsHtml([job(1)], 61_000, true);
    expect([...ro.matchAll(/data-action="(\w+)"/g)].map((m) => m[1])).toEqual(['details', 'logs']);
  });
});

describe('renderPage', () => {
  const template = `<table><thead>${HEAD_MARK}</thead><tbody>${ROWS_MARK}</tbody></table>${DATA_MARK}`;
  const data = { session: { readOnly: false, csrfToken: 'csrf', version: '1', daemonVersion: '1' }, jobs: [job(1, { name: HOSTILE })] };
  const page = renderPage(template, data, 61_000);

  it('puts the data in one JSON block that nothing in it can close, and that parses back to the data', () => {
    const blocks = [...page.matchAll(/<script type="application\/json" id="procd-initial">([^<]*)<\/script>/g)];
    expect(blocks).toHaveLength(1);
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(JSON.parse(blocks[0]![1]!)).toEqual(data);
    expect(jsonForScript({ s: '</script><!--\u2028' })).toBe('{"s":"\\u003c/script\\u003e\\u003c!--\\u2028"}');
  });

  it('fills the header and the rows, and without jobs (daemon down) leaves the table empty', () => {
    expect(page).toContain('<th class="sortable" data-sort="id" tabindex="0" aria-sort="descending">id</th>');
    expect(page).toContain('data-id="1"');
    // `$&` in job text stays text (a string replacement would have put the mark there).
    expect(page).toContain('$&amp; $&#39;');
    expect(page).not.toContain('procd:');
    const empty = renderPage(template, { ...data, jobs: null }, 61_000);
    expect(empty).toContain('<tbody></tbody>');
    expect(empty).toContain('"jobs":null');
  });
});
