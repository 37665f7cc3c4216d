// The job page's process tree: a flat list with ppids in depth-first order, children by pid.

import { describe, expect, it } from 'vitest';
import { treeRows, type ProcessNode } from '../../../client/dashboard/assets/tree.js';

const p = (pid: number, ppid: number): ProcessNode => ({ pid, ppid, state: 'S', cpuPercent: null, rssBytes: 0, command: `p${pid}` });

describe('treeRows', () => {
  it('puts children under their parent, depth-first, by pid', () => {
    const rows = treeRows([p(12, 10), p(10, 1), p(11, 10), p(13, 11)]);
    expect(rows.map((r) => [r.node.pid, r.depth])).toEqual([[10, 0], [11, 1], [13, 2], [12, 1]]);
  });

  it('lists every process whose parent is not in the list as a root, and survives a cycle', () => {
    expect(treeRows([p(5, 99), p(3, 98)]).map((r) => r.node.pid)).toEqual([3, 5]);
    expect(treeRows([p(1, 2), p(2, 1), p(3, 50)]).map((r) => r.node.pid)).toEqual([3]);
    expect(treeRows([])).toEqual([]);
  });
});
