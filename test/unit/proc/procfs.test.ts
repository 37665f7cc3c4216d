import { describe, expect, it } from 'vitest';
import { environValues, pageSize, parseStat } from '../../../daemon/proc/procfs.js';
import { descendantsOf, membersOfGroup, membersOfSession, type ProcInfo, type ProcessTable } from '../../../daemon/proc/process-table.js';

/** A stat line as the kernel writes it: 52 fields, comm in parentheses. */
function statLine(pid: number, comm: string, over: Record<number, string | number> = {}): string {
  const fields: (string | number)[] = [pid, `(${comm})`, 'S'];
  for (let n = 4; n <= 52; n++) fields.push(over[n] ?? n * 10);
  for (const [n, v] of Object.entries(over)) fields[Number(n) - 1] = v;
  return `${fields.join(' ')}\n`;
}

describe('parseStat', () => {
  it('maps the stat(5) fields', () => {
    const info = parseStat(statLine(4242, 'node', { 3: 'R', 4: 1, 5: 4200, 6: 4100, 14: 731, 15: 12, 16: 40, 17: 2, 20: 11, 22: 987654321, 24: 2500 }), 1000);
    expect(info).toEqual({
      pid: 4242, ppid: 1, pgid: 4200, sid: 4100, state: 'R', comm: 'node', startTicks: 987654321,
      utimeTicks: 731, stimeTicks: 12, childTicks: 42, threads: 11, rssBytes: 2500 * pageSize(), uid: 1000,
    });
  });

  it('takes comm between the first "(" and the LAST ")", whatever it contains', () => {
    for (const comm of ['a) b (c', ') S 1 2 3 (', '((x))', 'with space', 'new\nline', 'ünï', '']) {
      const info = parseStat(statLine(7, comm, { 4: 3, 22: 5555 }));
      expect(info).toMatchObject({ pid: 7, comm, state: 'S', ppid: 3, startTicks: 5555 });
    }
  });

  it('handles negative fields and huge start times', () => {
    const info = parseStat(statLine(9, 'k', { 7: -1, 8: -1, 22: 2 ** 40 }));
    expect(info?.startTicks).toBe(2 ** 40);
  });

  it('refuses malformed or truncated lines (a process vanishing mid-read)', () => {
    expect(parseStat('')).toBeNull();
    expect(parseStat('123 (sleep')).toBeNull();
    expect(parseStat('123 (sleep) S 1 2 3')).toBeNull();
  });
});

describe('environValues', () => {
  const env = Buffer.from('PROCD_JOB_ID=12\0X_PROCD_JOB_ID=7\0OTHER=PROCD_JOB_ID=8\0PROCD_JOB_ID=123\0EMPTY=\0LAST=ü');
  it('returns exact entries only, never a suffix of another name or a substring of a value', () => {
    expect(environValues(env, 'PROCD_JOB_ID')).toEqual(['12', '123']);
    expect(environValues(env, 'EMPTY')).toEqual(['']);
    expect(environValues(env, 'LAST')).toEqual(['ü']); // no trailing NUL
    expect(environValues(env, 'JOB_ID')).toEqual([]);
    expect(environValues(Buffer.alloc(0), 'A')).toEqual([]);
  });
});

function table(rows: [pid: number, ppid: number, pgid?: number, sid?: number][]): ProcessTable {
  const t: ProcessTable = new Map();
  for (const [pid, ppid, pgid = pid, sid = pid] of rows) {
    const info: ProcInfo = { pid, ppid, pgid, sid, state: 'S', comm: 'x', startTicks: 1, utimeTicks: 0, stimeTicks: 0, childTicks: 0, threads: 1, rssBytes: 0, uid: 0 };
    t.set(pid, info);
  }
  return t;
}

describe('descendantsOf / membersOf*', () => {
  it('follows parent links whatever the pid order (pid wrap-around)', () => {
    const t = table([[1, 0], [30000, 1], [100, 30000], [29999, 100], [5, 29999], [400, 1]]);
    expect(descendantsOf(t, [30000])).toEqual([5, 100, 29999]);
    expect(descendantsOf(t, [100, 29999])).toEqual([5, 29999]); // a root below another root is a descendant too
    expect(descendantsOf(t, [12345])).toEqual([]);
  });

  it('terminates on an inconsistent snapshot with a parent cycle', () => {
    expect(descendantsOf(table([[10, 11], [11, 10], [12, 12]]), [10])).toEqual([10, 11]);
    expect(descendantsOf(table([[12, 12]]), [12])).toEqual([]);
  });

  it('selects by group and by session', () => {
    const t = table([[10, 1, 10, 10], [11, 10, 10, 10], [12, 11, 12, 10], [13, 1, 13, 13]]);
    expect(membersOfGroup(t, 10)).toEqual([10, 11]);
    expect(membersOfSession(t, 10)).toEqual([10, 11, 12]);
    expect(membersOfGroup(t, 99)).toEqual([]);
  });
});
