// `procd ls` fits the terminal: at 80 columns no line is wider, a long name is shortened with an
// ellipsis, the command gets what is left; finished jobs say when they ended, not a stale CPU/MEM
// reading; the `!` marks are explained on a terminal; hidden finished jobs are counted.

import { describe, expect, it } from 'vitest';
import { renderLs, type LsLayout } from '../../../client/cli/ls-table.js';
import { terminalWidth } from '../../../client/cli/output.js';
import { summarize, type Job, type JobSummary, type ResourceStats } from '../../../shared/job.js';
import { completedState, killedState, makeJob, runningState, T0 } from '../../helpers/job-factory.js';

const NOW = T0 + 10 * 60_000;
const layout = (over: Partial<LsLayout> = {}): LsLayout => ({ now: NOW, width: 80, tty: false, hiddenFinished: 0, paint: (_c, t) => t, ...over });

const stats: ResourceStats = {
  samples: 3,
  cpuSamples: 2,
  cpuPeak: 90,
  cpuAvg: 45,
  rssPeak: 50 << 20,
  rssAvg: 40 << 20,
  processesPeak: 2,
  last: { at: T0 + 900, cpuPercent: 42, rssBytes: 48 << 20, mainRssBytes: 40 << 20, processes: 2, threads: 3, fds: 9, states: { S: 2 } },
};

const longCommand = ['node', 'server.js', '--port', '8080', '--config', '/home/me/projects/web/config/development.json'];
function jobs(): JobSummary[] {
  const list: Job[] = [
    makeJob({ id: 1, name: 'a-really-long-development-server-name-for-the-frontend', spec: { command: { kind: 'argv', argv: longCommand } }, state: runningState({ startedAt: NOW - 65_000, pid: 41235 }), resources: stats }),
    makeJob({ id: 2, name: 'build', spec: { command: { kind: 'argv', argv: ['make', '-j4'] } }, state: completedState({ endedAt: NOW - 3 * 60_000 }), resources: stats }),
  ];
  return list.map(summarize);
}

describe('ls table', () => {
  it('keeps every line within 80 columns, shortening the name and giving the command the rest', () => {
    const lines = renderLs(jobs(), layout());
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    const row = lines[1]!;
    expect(row).toMatch(/^1 +a-real\S*… +running/);
    // The command gets what is left: more than the name, up to the last column.
    const name = /^1 +(\S+)/.exec(row)![1]!;
    const cmd = row.slice(row.indexOf('node'));
    expect(cmd.length).toBeGreaterThan(name.length);
    expect(cmd).toMatch(/^node server\.js --port.*…$/);
    expect([...row].length).toBe(80);
  });

  // Cells are counted in characters; ASCII cells take a fast path (.length), so a name with
  // surrogate pairs (emoji) must still be counted and cut by code point, never split in half.
  it('counts and cuts names with emoji by character, as wide as ASCII names', () => {
    const name = '🚀'.repeat(60);
    const rows = renderLs([summarize(makeJob({ id: 1, name, state: runningState({ startedAt: NOW - 1000, pid: 7 }) }))], layout());
    for (const l of rows) expect([...l].length).toBeLessThanOrEqual(80);
    const shown = /^1 +(\S+)/u.exec(rows[1]!)![1]!;
    expect(shown).toMatch(/^(🚀)+…$/u);
    expect(rows[1]).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    const wide = renderLs([summarize(makeJob({ id: 1, name: '🚀🚀', state: runningState({ startedAt: NOW - 1000, pid: 7 }) }))], layout());
    expect(wide[1]).toMatch(/^1 {3}🚀🚀 {4}running/u);
  });

  it('never exceeds very narrow or very wide widths, and leaves short rows alone', () => {
    for (const width of [20, 40, 60, 100, 200]) for (const l of renderLs(jobs(), layout({ width }))) expect([...l].length).toBeLessThanOrEqual(width);
    expect(renderLs(jobs(), layout({ width: 200 }))[1]).toContain('a-really-long-development-server-name-for-the-frontend');
  });

  it('shows when a finished job ended instead of its last CPU and MEM reading', () => {
    const [header, running, done] = renderLs(jobs(), layout({ width: 120 }));
    expect(header).toMatch(/CPU +MEM/);
    expect(running).toMatch(/ 42% +48MiB /);
    expect(done).toMatch(/ ended 3m ago +make -j4$/);
    expect(done).not.toMatch(/%|MiB/);
  });

  it("says OOM(137) for a job the kernel's OOM killer ended, SIGKILL(137) for one killed from outside", () => {
    const ended = { endedAt: NOW - 60_000, exitCode: 137, signal: { name: 'SIGKILL', number: 9 } };
    const oom = makeJob({ id: 5, name: 'hog', state: { ...completedState(ended), kind: 'failed', outcome: 'oom', outcomeDetail: null, spawnError: null } });
    const killed = makeJob({ id: 6, name: 'shot', state: killedState(ended) });
    const [, oomRow, killedRow] = renderLs([oom, killed].map((j) => summarize(j, NOW)), layout());
    expect(oomRow).toMatch(/^5 +hog +failed +- +\S+ +OOM\(137\) /);
    expect(killedRow).toMatch(/ SIGKILL\(137\) /);
  });

  it('explains the ! marks on a terminal when one is shown, and not into a pipe', () => {
    const forced = summarize(makeJob({ id: 3, state: killedState({ forced: true, endedAt: NOW - 1000 }) }));
    const tty = renderLs([forced], layout({ tty: true }));
    expect(tty[1]).toMatch(/ killed! /);
    expect(tty.at(-1)).toBe('! after a state: processes needed SIGKILL after the grace');
    expect(renderLs([forced], layout({ tty: false })).join('\n')).not.toMatch(/^!/m);
    expect(renderLs(jobs(), layout({ tty: true })).join('\n')).not.toMatch(/^!/m);
  });

  it('says how many older finished jobs are hidden and that --all shows them', () => {
    expect(renderLs(jobs(), layout({ hiddenFinished: 12 })).at(-1)).toBe('12 older finished jobs are not shown (procd ls --all shows every job)');
    expect(renderLs(jobs(), layout({ hiddenFinished: 1 })).at(-1)).toMatch(/^1 older finished job is not shown/);
    expect(renderLs(jobs(), layout()).join('\n')).not.toMatch(/not shown/);
  });

  it('takes the terminal width, 80 when a terminal does not say, COLUMNS when set', () => {
    expect(terminalWidth(true, 120, undefined)).toBe(120);
    expect(terminalWidth(true, 0, undefined)).toBe(80);
    expect(terminalWidth(false, undefined, '80')).toBe(80);
    expect(terminalWidth(false, undefined, undefined)).toBe(160);
  });
});

describe('the OWNER column', () => {
  const owned = (id: number, name: string | null) => summarize(makeJob({ id, state: runningState(), ...(name ? { owner: { name, pid: 1, parentName: null } } : {}) }), NOW);

  it('is shown once two owners (or an owner and none) are listed, a long owner cut', () => {
    const lines = renderLs([owned(1, 'agent-a'), owned(2, 'a-very-long-owner-name-indeed'), owned(3, null)], layout({ width: 120 }));
    expect(lines[0]).toMatch(/\bOWNER\s+COMMAND$/);
    expect(lines[1]).toMatch(/\sagent-a\s+true$/);
    expect(lines[2]).toMatch(/\sa-very-long-own…\s+true$/);
    expect(lines[3]).toMatch(/\s-\s+true$/);
  });

  it('is left out when every listed job has one owner (or none has any)', () => {
    expect(renderLs([owned(1, 'agent-a'), owned(2, 'agent-a')], layout())[0]).not.toMatch(/OWNER/);
    expect(renderLs([owned(1, null), owned(2, null)], layout())[0]).not.toMatch(/OWNER/);
  });
});
