// `procd top` in a real terminal (tmux): jobs appear, also one started after top, sorting changes
// the order, killing from the UI ends the job (checked with the daemon), the log pane shows a
// job's output, and q gives the shell back with the terminal as it was (alternate screen left,
// cursor shown, the same stty settings). Refuses without a terminal; NO_COLOR sends no colour.

import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { jobStatus, trackJob } from './helpers/jobs.js';
import { hasTmux, PROMPT, Tmux } from './helpers/tmux.js';
import { waitFor } from '../helpers/wait-for.js';

const TMUX = hasTmux();
let d: TestDaemon;
let term: Tmux | null = null;
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  term?.kill();
  term = null;
  await d?.cleanup();
});

/** The screen's job rows: id and name of each, in order (the selected row starts with `>`). */
function rowsOf(screen: string): { id: number; name: string }[] {
  return [...screen.matchAll(/^[> ] +(\d+) (\S+) /gm)].map((m) => ({ id: Number(m[1]), name: m[2]! }));
}
const names = (screen: string) => rowsOf(screen).map((r) => r.name);

/** bash in tmux with this daemon's home, `procd top` started in it, and its first frame with the jobs in `expect`. */
async function startTop(expectNames: string[], env: NodeJS.ProcessEnv = {}): Promise<Tmux> {
  term = new Tmux({ ...d.env, ...env }, d.home);
  await term.waitForScreen((s) => s.includes(PROMPT.trim()), 'the shell prompt');
  term.type(`stty -g > stty-before; node ${CLI} top; echo "top-exit=$?"; stty -g | cmp -s - stty-before && echo stty-same || echo stty-changed`);
  await term.waitForScreen((s) => s.startsWith('procd top · daemon pid') && expectNames.every((n) => names(s).includes(n)), `top listing ${expectNames.join(', ')}`);
  return term;
}

/** The OWNER column between NAME and STATE (every job here has one: the CLI's name, procd-cli). */
const OWNER = '(?:procd-cli +)?';

describe.skipIf(!TMUX)('procd top in tmux (skipped: tmux is not installed; .ci/run installs it)', () => {
  it('lists jobs, also one started after it, sorts, kills from the UI, and q gives the terminal back', async () => {
    const sleeper = await trackJob(d, ['--name', 'sleeper', '--', 'sleep', '1000']);
    const spinner = await trackJob(d, ['--name', 'spinner', '--', 'sh', '-c', 'while :; do :; done']);
    const t = await startTop(['sleeper', 'spinner']);
    expect(t.show('#{alternate_on}')).toBe('1');

    // Started after top: it comes in through the events.
    const late = await trackJob(d, ['--name', 'latecomer', '--', 'sleep', '1001']);
    await t.waitForScreen((s) => names(s).includes('latecomer'), 'the job started after top to appear');
    expect(names(t.screen())).toEqual(['sleeper', 'spinner', 'latecomer']);

    // By CPU: the busy loop goes first once a sample shows it busy; by id again: back to the start order.
    t.literal('c');
    await t.waitForScreen((s) => s.includes('sort: cpu') && names(s)[0] === 'spinner', 'the CPU sort to put the spinner first');
    t.literal('i');
    await t.waitForScreen((s) => s.includes('sort: id') && names(s)[0] === 'sleeper', 'the id sort');

    // Filter by text, then clear it.
    t.literal('/late');
    await t.waitForScreen((s) => names(s).join() === 'latecomer', 'the filter to leave only latecomer');
    t.keys('Escape');
    await t.waitForScreen((s) => names(s).length === 3, 'the filter cleared');

    // Select the sleeper (the first row), k asks, n cancels, k y kills.
    t.keys('Home');
    await t.waitForScreen((s) => /^> +\d+ sleeper/m.test(s), 'the sleeper selected');
    t.literal('k');
    await t.waitForScreen((s) => s.includes(`kill job ${sleeper.id} (sleeper)? (y/n)`), 'the kill question');
    t.literal('n');
    await t.waitForScreen((s) => s.includes('kill cancelled'), 'the kill cancelled');
    expect((await jobStatus(d, sleeper.id)).state.kind).toBe('running');
    t.literal('k');
    await t.waitForScreen((s) => s.includes('(y/n)'), 'the kill question again');
    t.literal('y');
    await waitFor(async () => (await jobStatus(d, sleeper.id)).state.kind === 'killed', { what: 'the daemon to report the sleeper killed', timeoutMs: 30_000 });
    await t.waitForScreen((s) => new RegExp(`^> +${sleeper.id} sleeper +${OWNER}killed`, 'm').test(s), 'the row to show killed');
    expect((await jobStatus(d, spinner.id)).state.kind).toBe('running');
    expect((await jobStatus(d, late.id)).state.kind).toBe('running');

    t.literal('q');
    const after = await t.waitForScreen((s) => /^stty-(same|changed)$/m.test(s), 'the shell back after q');
    expect(after).toMatch(/^top-exit=0$/m);
    expect(after).toMatch(/^stty-same$/m);
    expect(after).not.toContain('procd top · daemon');
    expect(t.show('#{alternate_on} #{cursor_flag}')).toBe('0 1');
    t.type('echo marker-$((6*7))');
    await t.waitForScreen((s) => s.includes('marker-42'), 'a command typed at the shell after top to run');
  });

  it('opens a job’s output in a pane that follows, Esc goes back; Ctrl-C quits with the terminal restored', async () => {
    await trackJob(d, ['--name', 'talker', '--', 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.2; done']);
    const t = await startTop(['talker']);
    t.literal('l');
    const first = await t.waitForScreen((s) => /logs of job \d+ \(talker/.test(s) && /tick \d+/.test(s), 'the log pane with output');
    const firstTick = Math.max(...[...first.matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));
    await t.waitForScreen((s) => [...s.matchAll(/tick (\d+)/g)].some((m) => Number(m[1]) > firstTick + 2), 'new output to follow');
    t.keys('Escape');
    await t.waitForScreen((s) => s.includes('sort: id') && names(s).includes('talker'), 'back to the table');
    t.keys('C-c');
    const after = await t.waitForScreen((s) => /^stty-(same|changed)$/m.test(s), 'the shell back after Ctrl-C');
    expect(after).toMatch(/^top-exit=0$/m);
    expect(after).toMatch(/^stty-same$/m);
    expect(t.show('#{alternate_on} #{cursor_flag}')).toBe('0 1');
  });

  it('NO_COLOR: the screen has no colour at all; SIGTERM restores the terminal', async () => {
    await trackJob(d, ['--name', 'plain', '--', 'sleep', '1000']);
    const t = await startTop(['plain'], { NO_COLOR: '1' });
    // capture-pane -e shows the attributes: with NO_COLOR there are none (no SGR sequence at all).
    const withAttributes = t.screenWithAttributes();
    expect(withAttributes).toContain('plain');
    expect(withAttributes).not.toMatch(/\x1b\[[0-9;]*m/);
    const pid = t.show('#{pane_pid}');
    // top is the shell's child; SIGTERM it as a session manager or `kill` would.
    const child = execFileSync('pgrep', ['-P', pid, '-f', 'main.js top'], { encoding: 'utf8' }).trim().split('\n')[0]!;
    process.kill(Number(child), 'SIGTERM');
    const after = await t.waitForScreen((s) => /^stty-(same|changed)$/m.test(s), 'the shell back after SIGTERM');
    expect(after).toMatch(/^top-exit=143$/m);
    expect(after).toMatch(/^stty-same$/m);
    expect(t.show('#{alternate_on} #{cursor_flag}')).toBe('0 1');
  });

  it('p pauses and resumes, r restarts the selected job; the screen follows a resize', async () => {
    const job = await trackJob(d, ['--name', 'worker', '--', 'sleep', '1000']);
    const t = await startTop(['worker']);
    t.literal('p');
    await waitFor(async () => (await jobStatus(d, job.id)).state.kind === 'paused', { what: 'the daemon to report the job paused', timeoutMs: 30_000 });
    await t.waitForScreen((s) => new RegExp(`^> +\\d+ worker +${OWNER}paused`, 'm').test(s), 'the row to show paused');
    t.literal('p');
    await waitFor(async () => (await jobStatus(d, job.id)).state.kind === 'running', { what: 'the job resumed', timeoutMs: 30_000 });
    const pidBefore = (await jobStatus(d, job.id)).state;
    t.literal('r');
    await waitFor(async () => (await jobStatus(d, job.id)).runs?.current === 2, { what: 'the job restarted (run 2)', timeoutMs: 30_000 });
    expect((await jobStatus(d, job.id)).state).not.toEqual(pidBefore);
    await t.waitForScreen((s) => s.includes(`restarted job ${job.id}`) && new RegExp(`^> +\\d+ worker +${OWNER}running`, 'm').test(s), 'the row running again after the restart');

    // Narrower: every line fits the new width, and the columns that give way first are gone.
    t.resize(60, 20);
    const narrow = await t.waitForScreen((s) => !s.includes('HLTH') && s.includes('COMMAND'), 'the table laid out for 60 columns');
    for (const line of narrow.split('\n')) expect([...line].length).toBeLessThanOrEqual(60);
    t.resize(140, 30);
    await t.waitForScreen((s) => s.includes('HLTH'), 'the table laid out for 140 columns again');
    t.literal('q');
    await t.waitForScreen((x) => /^top-exit=0$/m.test(x), 'top to quit');
  });

  it('rides out a daemon restart: a job started after it still appears', async () => {
    await trackJob(d, ['--name', 'before', '--', 'sleep', '1000']);
    const t = await startTop(['before']);
    const pidBefore = /daemon pid (\d+)/.exec(t.screen())![1];
    const restart = await d.cli(['daemon', 'restart']);
    expect(restart.code, restart.stderr).toBe(0);
    await trackJob(d, ['--name', 'after', '--', 'sleep', '1001']);
    const s = await t.waitForScreen((x) => names(x).includes('after') && !x.includes(`daemon pid ${pidBefore} `), 'the job started after the restart, and the new daemon in the header');
    expect(names(s)).toEqual(['before', 'after']);
    t.literal('q');
    await t.waitForScreen((x) => /^top-exit=0$/m.test(x), 'top to quit');
  });
});

describe('procd top without a terminal', () => {
  it('refuses clearly, exit 2', async () => {
    const r = await d.cli(['top']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/procd top: needs a terminal, and stdout is not one/);
    expect(r.stdout).toBe('');
  });
  it('has no --json: it says what to use instead', async () => {
    const r = await d.cli(['top', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('procd top: --json: top is a screen for people');
    expect(JSON.parse(r.stdout).error.name).toBe('UsageError');
  });
  it('rejects an unknown sort key', async () => {
    const r = await d.cli(['top', '--sort', 'size']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--sort: "size" is not one of id, cpu, mem, elapsed, state');
  });
});
