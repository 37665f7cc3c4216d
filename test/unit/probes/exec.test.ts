import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecCheck, exitDetail, keepTail } from '../../../daemon/probes/checks/exec.js';
import { isAlive } from '../../../daemon/proc/process-table.js';
import { waitFor } from '../../helpers/wait-for.js';
import { Spawned, TEST_MARKER } from '../proc/spawned.js';
import { target } from './target.js';

// Every command gets the test marker in its environment, so Spawned's cleanup finds (and kills)
// whatever a failing test leaves behind.
const spawned = new Spawned();
const dirs: string[] = [];
afterEach(async () => {
  await spawned.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function jobDir(): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'procd-probe-exec-')));
  dirs.push(d);
  return d;
}

/** The pids the command wrote into these files, or null until all are there. */
function readPids(dir: string, files: string[]): number[] | null {
  try {
    const pids = files.map((f) => Number(readFileSync(join(dir, f), 'utf8')));
    return pids.every((p) => Number.isInteger(p) && p > 1) ? pids : null;
  } catch {
    return null;
  }
}

const env = (extra: Record<string, string> = {}): Record<string, string> => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', [TEST_MARKER]: spawned.marker, ...extra });
const check = (command: string, over: Parameters<typeof target>[0] = {}) => createExecCheck({ kind: 'exec', command }, target({ env: env(), ...over }));

describe('exec check', () => {
  it('succeeds when the command exits 0', async () => {
    expect(await check('true').run(10_000)).toEqual({ ok: true, detail: 'exit 0' });
  });

  it('fails on another exit code, with the last line of its output in the detail', async () => {
    expect(await check('echo starting; echo "db not ready" >&2; exit 3').run(10_000)).toEqual({ ok: false, detail: 'exit 3: db not ready' });
  });

  it("runs in the job's cwd with the job's environment (and nothing of the daemon's)", async () => {
    const cwd = jobDir();
    const c = createExecCheck({ kind: 'exec', command: 'test "$(pwd -P)" = "$WANT_DIR" && test "$PROBE_ONLY" = yes && test -z "$HOME_OF_DAEMON"' }, target({ cwd, env: env({ WANT_DIR: cwd, PROBE_ONLY: 'yes' }) }));
    process.env.HOME_OF_DAEMON = 'set';
    try {
      expect(await c.run(10_000)).toEqual({ ok: true, detail: 'exit 0' });
    } finally {
      delete process.env.HOME_OF_DAEMON;
    }
  });

  it('fails clearly when the cwd does not exist', async () => {
    const r = await check('true', { cwd: '/nonexistent/procd-probe' }).run(10_000);
    expect(r.ok).toBe(false);
    expect(r.detail).toContain('ENOENT');
  });

  it('reads nothing from stdin (/dev/null)', async () => {
    expect(await check('cat; echo read-eof; exit 1').run(10_000)).toEqual({ ok: false, detail: 'exit 1: read-eof' });
  });

  it('on timeout fails and kills the whole group, background processes included', async () => {
    const dir = jobDir();
    const c = check(`echo $$ > sh.pid; sleep 100 & echo $! > bg.pid; sleep 100`, { cwd: dir });
    const pending = c.run(3000);
    const pids = await waitFor(() => readPids(dir, ['sh.pid', 'bg.pid']), { what: 'the command to write its pids' });
    expect(await pending).toEqual({ ok: false, detail: 'timed out after 3s' });
    await waitFor(async () => (await Promise.all(pids.map((p) => isAlive(p)))).every((alive) => !alive), { what: `the probe's processes ${pids.join(', ')} to end` });
  });

  it('kills what a finished command left running in its group', async () => {
    const dir = jobDir();
    const c = check(`sleep 100 & echo $! > bg.pid; exit 0`, { cwd: dir });
    expect(await c.run(10_000)).toEqual({ ok: true, detail: 'exit 0' });
    const [bg = 0] = readPids(dir, ['bg.pid'])!;
    await waitFor(async () => !(await isAlive(bg)), { what: `the left-behind sleep ${bg} to end` });
  });

  it('close() kills a command still running', async () => {
    const dir = jobDir();
    const c = check(`echo $$ > sh.pid; sleep 100`, { cwd: dir });
    const pending = c.run(60_000);
    const [sh = 0] = await waitFor(() => readPids(dir, ['sh.pid']), { what: 'the command to start' });
    c.close();
    const r = await pending;
    expect(r).toEqual({ ok: false, detail: 'killed by SIGKILL' });
    await waitFor(async () => !(await isAlive(sh)), { what: `the shell ${sh} to end` });
  });
});

describe('exec check details', () => {
  it('keeps only the last bytes of the output', () => {
    let tail: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 100; i++) tail = keepTail(tail, Buffer.from(`line ${i}\n`), 32);
    expect(tail.length).toBe(32);
    expect(tail.toString().endsWith('line 99\n')).toBe(true);
    expect(keepTail(Buffer.from('ab'), Buffer.from('x'.repeat(40)), 32).toString()).toBe('x'.repeat(32));
  });

  it('words exits and signals', () => {
    expect(exitDetail(0, null, Buffer.from('noise\n'))).toEqual({ ok: true, detail: 'exit 0' });
    expect(exitDetail(1, null, Buffer.from(''))).toEqual({ ok: false, detail: 'exit 1' });
    expect(exitDetail(2, null, Buffer.from('a\nlast one\n\n'))).toEqual({ ok: false, detail: 'exit 2: last one' });
    expect(exitDetail(null, 'SIGTERM', Buffer.from(''))).toEqual({ ok: false, detail: 'killed by SIGTERM' });
    expect(exitDetail(1, null, Buffer.from('y'.repeat(500))).detail.length).toBeLessThanOrEqual(200);
  });
});
