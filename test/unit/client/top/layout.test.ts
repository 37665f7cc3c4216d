// procd top's screen: exactly `height` lines, none wider than the terminal at any width, long
// cells cut with …, columns given up when narrow, the selected row marked, colour only when on
// (NO_COLOR: not one ESC[…m), and the rows that fit scrolled to keep the selection in view.

import { describe, expect, it } from 'vitest';
import { CHROME_LINES, firstShown, renderLogs, renderTable, truncate, visibleLength, type Frame } from '../../../../client/cli/top/layout.js';
import { stateCounts } from '../../../../client/cli/top/model.js';
import { rowOf } from '../../../../client/cli/top/view.js';
import { completedState } from '../../../helpers/job-factory.js';
import { job, NOW, running } from './fixtures.js';

const MiB = 1 << 20;
const longCmd = { kind: 'argv' as const, argv: ['node', 'server.js', '--config', '/home/me/projects/a-very-long-path/config/development.json', '--port', '8080'] };
const jobs = [
  running(1, 'web-frontend-development-server-with-a-long-name', 12.5, 300 * MiB, 65_000, { spec: { command: longCmd }, flags: [{ kind: 'stuck', raisedAt: NOW, detail: 'quiet', severity: 'high', pids: [], data: {} }] }),
  running(2, 'db', 3, 900 * MiB, 600_000),
  job({ id: 3, name: 'build', state: completedState({ endedAt: NOW - 1000, durationMs: 30_000 }) }),
];

function frame(over: Partial<Frame> = {}): Frame {
  return { width: 100, height: 12, color: false, daemon: 'daemon pid 42 v0.1.0 up 3m', counts: stateCounts(jobs), total: jobs.length, rows: jobs.map((j) => rowOf(j, NOW)), selected: 0, sort: 'id', filter: '', mode: 'table', owner: false, message: '', confirmOf: 'job 1 (web)', ...over };
}
const SGR = /\x1b\[[0-9;]*m/;

describe('renderTable', () => {
  it('fills exactly the height, and no line is wider than the width, from 20 to 250 columns', () => {
    for (const width of [20, 33, 40, 60, 80, 100, 132, 250]) {
      for (const height of [5, 8, 24]) {
        for (const color of [false, true]) {
          const lines = renderTable(frame({ width, height, color, owner: true }), 0);
          expect(lines).toHaveLength(height);
          for (const l of lines) expect(visibleLength(l), `${width}x${height}: ${l}`).toBeLessThanOrEqual(width);
        }
      }
    }
  });
  it('shows header counts, the column titles, each job and the keys', () => {
    const lines = renderTable(frame({ width: 160 }), 0);
    expect(lines[0]).toBe('procd top · daemon pid 42 v0.1.0 up 3m · 3 jobs: 2 running, 1 completed');
    expect(lines[1]).toBe('sort: id');
    expect(lines[2]).toMatch(/^ +ID NAME +STATE +HLTH +CPU +MEM +ELAPSED FLAGS +COMMAND/);
    expect(lines[3]).toMatch(/^> +1 web-frontend.*… running .* 13% +300MiB +1m05s +stuck! +node server\.js/);
    expect(lines[4]).toMatch(/^ +2 db +running/);
    expect(lines[5]).toMatch(/^ +3 build +completed/);
    expect(lines.at(-1)).toMatch(/c cpu +m mem +e elapsed +s state .*k kill .*q quit/);
  });
  it('cuts a long command with … at the width', () => {
    const line = renderTable(frame({ width: 90 }), 0)[3]!;
    expect(line).toHaveLength(90);
    expect(line.endsWith('…')).toBe(true);
  });
  it('gives up owner, health and flags before the command when narrow', () => {
    const wide = renderTable(frame({ width: 140, owner: true }), 0)[2]!;
    expect(wide).toContain('OWNER');
    const narrow = renderTable(frame({ width: 60, owner: true }), 0)[2]!;
    expect(narrow).not.toContain('OWNER');
    expect(narrow).not.toContain('HLTH');
    expect(narrow).toContain('COMMAND');
  });
  it('NO_COLOR: not one colour code; colour on: state and flags coloured, the selection reversed', () => {
    for (const mode of ['table', 'filter', 'confirm-kill'] as const) expect(renderTable(frame({ mode }), 0).join('\n')).not.toMatch(SGR);
    const colored = renderTable(frame({ color: true }), 0);
    expect(colored[3]).toMatch(/^\x1b\[7m>/);
    expect(colored[4]).toContain('\x1b[36mrunning');
    expect(colored[0]).toContain('\x1b[32m1 completed');
  });
  it('the kill question and the filter prompt take the status line', () => {
    expect(renderTable(frame({ mode: 'confirm-kill' }), 0)[1]).toBe('kill job 1 (web)? (y/n)');
    expect(renderTable(frame({ mode: 'filter', filter: 'we' }), 0)[1]).toBe('filter: we█');
    expect(renderTable(frame({ filter: 'db', rows: [rowOf(jobs[1]!, NOW)] }), 0)[1]).toBe('sort: id · filter: "db" (1 of 3)');
  });
  it('says so when no job matches, and when the terminal is too small', () => {
    expect(renderTable(frame({ rows: [], filter: 'zzz' }), 0)[3]).toContain('no job matches');
    expect(renderTable(frame({ width: 15, height: 3 }), 0)).toEqual(['procd top: the…', '', '']);
  });
  it('shows the rows from `scroll` on, as many as fit', () => {
    const lines = renderTable(frame({ height: CHROME_LINES + 2, selected: 2 }), 1);
    expect(lines[3]).toMatch(/^ +2 db/);
    expect(lines[4]).toMatch(/^> +3 build/);
  });
});

describe('firstShown', () => {
  it('scrolls just enough to keep the selected row in view', () => {
    expect(firstShown(0, 100, 10, 0)).toBe(0);
    expect(firstShown(9, 100, 10, 0)).toBe(0);
    expect(firstShown(10, 100, 10, 0)).toBe(1);
    expect(firstShown(50, 100, 10, 45)).toBe(45);
    expect(firstShown(40, 100, 10, 45)).toBe(40);
    expect(firstShown(99, 100, 10, 0)).toBe(90);
    expect(firstShown(3, 5, 10, 7)).toBe(0);
  });
});

describe('truncate', () => {
  it('counts terminal columns, not UTF-16 units, and marks the cut', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('𝐀𝐁𝐂', 3)).toBe('𝐀𝐁𝐂');
    expect(truncate('𝐀𝐁𝐂𝐃', 3)).toBe('𝐀𝐁…');
    expect(truncate('😀😀😀', 6)).toBe('😀😀😀');
    expect(truncate('😀😀😀', 5)).toBe('😀😀…');
    expect(truncate('abc', 0)).toBe('');
  });
});

describe('renderLogs', () => {
  const lines = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`);
  it('follows: the newest lines at the bottom, the keys last, within the size', () => {
    const out = renderLogs({ width: 40, height: 6, color: false, title: 'logs of job 1 (web)', lines, scroll: 0, status: 'run 1, running' });
    expect(out).toEqual(['logs of job 1 (web) · following · run 1…', 'line 47', 'line 48', 'line 49', 'line 50', 'Esc/q back  ↑↓ PgUp/PgDn scroll  End fo…']);
  });
  it('scrolled back, and never past the first line', () => {
    expect(renderLogs({ width: 40, height: 4, color: false, title: 't', lines, scroll: 10, status: '' }).slice(1, 3)).toEqual(['line 39', 'line 40']);
    expect(renderLogs({ width: 40, height: 4, color: false, title: 't', lines, scroll: 999, status: '' }).slice(1, 3)).toEqual(['line 1', 'line 2']);
  });
});

describe('wide characters', () => {
  it('count two columns, so a row of CJK or emoji names never overflows the width', () => {
    const wide = [running(1, '数据库服务器很长的名字', 1, MiB, 1000, { spec: { command: { kind: 'argv', argv: ['echo', '🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀'] } } })];
    for (const width of [30, 57, 80]) {
      const lines = renderTable(frame({ width, rows: wide.map((j) => rowOf(j, NOW)) }), 0);
      for (const l of lines) expect(visibleLength(l), `${width}: ${l}`).toBeLessThanOrEqual(width);
    }
    expect(visibleLength('数据')).toBe(4);
    expect(truncate('数据库', 4)).toBe('数…');
  });
});
