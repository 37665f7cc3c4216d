// The job table's row diffing (row-view.ts): what a row shows as strings, and which cells a render
// must touch — none when nothing changed, only the elapsed cell when time passed, the actions only
// when the job's state offers other buttons.

import { describe, expect, it } from 'vitest';
import { changedParts, items, rowView } from '../../../client/dashboard/assets/row-view.js';
import type { JobRow } from '../../../client/dashboard/assets/model.js';

const NOW = 1_000_000;
const running = (extra: Partial<JobRow> = {}): JobRow => ({
  id: 7,
  name: 'web',
  owner: { name: 'alice' },
  state: { kind: 'running', startedAt: NOW - 5_000 },
  spec: { command: { kind: 'argv', argv: ['node', 'server.js'] } },
  resources: { last: { cpuPercent: 1.5, rssBytes: 2048 } },
  ...extra,
});

describe('rowView', () => {
  it("shows a job's cells as the table prints them", () => {
    const job = running({
      health: { score: 40, reasons: [{ why: 'stuck' }, { why: 'restarts' }] },
      ports: [{ port: 8080, protocol: 'tcp', address: '0.0.0.0' }, { port: 53, protocol: 'udp', address: '0.0.0.0' }],
      flags: [{ kind: 'time_sink', severity: 'high' }, { kind: 'stuck' }],
    });
    expect(rowView(job, NOW, false)).toEqual({
      state: 'running',
      stateText: 'running',
      name: 'web',
      owner: 'alice',
      health: '40',
      healthClass: 'health-bad',
      healthTitle: 'stuck\nrestarts',
      command: 'node server.js',
      elapsed: '5s',
      cpu: '1.5%',
      memory: '2.0 KiB',
      ports: '8080',
      flags: 'time_sink:high stuck:medium',
      actions: 'kill restart pause logs',
    });
  });

  it('a healthy job has no health class or title; read-only offers only logs', () => {
    const v = rowView(running({ health: { score: 100, reasons: [] } }), NOW, true);
    expect([v.health, v.healthClass, v.healthTitle, v.actions]).toEqual(['100', '', '', 'logs']);
    expect(rowView(running({ health: { score: 70, reasons: [{ why: 'x' }] } }), NOW, false).healthClass).toBe('health-warn');
  });

  it('splits a list part into its items', () => {
    expect(items('kill restart logs')).toEqual(['kill', 'restart', 'logs']);
    expect(items('')).toEqual([]);
  });
});

describe('changedParts', () => {
  it('a row never drawn: every part', () => {
    expect(changedParts(undefined, rowView(running(), NOW, false))).toHaveLength(14);
  });

  it('nothing changed (a sample with the same figures): no part, so no DOM write', () => {
    expect(changedParts(rowView(running(), NOW, false), rowView(running(), NOW, false))).toEqual([]);
  });

  it('time passed and a new sample: only elapsed, CPU and memory', () => {
    const later = running({ resources: { last: { cpuPercent: 12, rssBytes: 4096 } } });
    expect(changedParts(rowView(running(), NOW, false), rowView(later, NOW + 2_000, false))).toEqual(['elapsed', 'cpu', 'memory']);
  });

  it('paused: the state and the actions (pause becomes resume; kill and restart stay the same buttons)', () => {
    const paused = running({ state: { kind: 'paused', startedAt: NOW - 5_000, pausedAt: NOW } });
    const before = rowView(running(), NOW, false);
    const after = rowView(paused, NOW, false);
    expect(changedParts(before, after)).toEqual(['state', 'stateText', 'actions']);
    expect(after.actions).toBe('kill restart resume logs');
  });

  it('a flag raised: only the flags cell', () => {
    const flagged = running({ flags: [{ kind: 'stuck', severity: 'high' }] });
    expect(changedParts(rowView(running(), NOW, false), rowView(flagged, NOW, false))).toEqual(['flags']);
  });
});
