// Damaged state on a real daemon and a real short write: a garbage state.json after a crash
// loses no job (not even one only the rotated journal has), a record of the wrong shape does not
// stop the daemon, and a journal write cut short by the file size limit leaves no torn line.

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/job.js';
import { StateStore } from '../../daemon/store/state-store.js';
import { processGone, REPO, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
let scratch: string | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('damaged job records', () => {
  it('a garbage state.json after two crashes loses no job and no id; a wrong-shaped record is skipped', async () => {
    d = await startTestDaemon();
    const daemon = d;
    const daemonPid = async () => (JSON.parse((await daemon.cli(['daemon', 'status', '--json'])).stdout) as { pid: number }).pid;
    const crash = async () => {
      const pid = await daemonPid();
      process.kill(pid, 'SIGKILL');
      await waitFor(() => processGone(pid), { what: 'the daemon to die' });
    };
    const run = async (name: string) => {
      expect((await daemon.cli(['track', '--name', name, '--', 'true'])).code).toBe(0);
      expect((await daemon.cli(['wait', name])).code).toBe(0);
    };
    await run('first');
    await crash();
    // The next start snapshots 'first' and keeps the snapshot before it as state.json.bak:
    // only the rotated journal has 'first' on top of that backup.
    await run('second');
    await crash();
    writeFileSync(join(daemon.home, 'state.json'), '{"format":1,"jobs":[{"id":1');
    appendFileSync(join(daemon.home, 'journal.ndjson'), `${JSON.stringify({ seq: 100_000, t: 'job', job: null })}\n`);

    const ls = await daemon.cli(['ls', '--all', '--json']); // autostarts a daemon on the damaged files
    expect(ls.code).toBe(0);
    expect((JSON.parse(ls.stdout) as Job[]).map((j) => `${j.id}:${j.name}:${j.state.kind}`)).toEqual(['1:first:completed', '2:second:completed']);
    const { warnings } = JSON.parse((await daemon.cli(['daemon', 'status', '--json'])).stdout) as { warnings: string[] };
    const text = warnings.join('\n');
    expect(text).toMatch(/state\.json is damaged .* moved aside/);
    expect(text).toMatch(/previous good snapshot/);
    expect(text).toMatch(/skipped 1 record\(s\) of the wrong shape: journal\.ndjson line \d+: job is null/);
    expect(text).toMatch(/journal\.ndjson\.corrupt-\d+/);
    const third = JSON.parse((await daemon.cli(['track', '--json', '--', 'true'])).stdout) as Job;
    expect(third.id).toBe(3);
  });
});

describe('a journal write cut short', () => {
  it.skipIf(!existsSync('/usr/bin/prlimit'))('by the file size limit is cut back and answered with StorageFailed', () => {
    scratch = mkdtempSync(join(tmpdir(), 'procd-store-limit-'));
    const store = pathToFileURL(join(REPO, 'dist/daemon/store/state-store.js')).href;
    const script = `
      import { statSync } from 'node:fs';
      import { StateStore } from ${JSON.stringify(store)};
      const dir = process.argv[1];
      const job = (id, pad) => ({ id, name: 'j' + id, description: 'x'.repeat(pad), tags: [], createdAt: 1, dir: dir + '/' + id,
        spec: { command: { kind: 'argv', argv: ['true'] }, cwd: '/', env: {}, timeoutMs: null, expectMs: null, stuckAfterMs: 0, maxOutputBytes: 4096 },
        state: { kind: 'queued', queuedAt: 1 }, pendingKill: null, flags: [], flagHistory: [], resources: null,
        output: { stdoutBytes: 0, stderrBytes: 0, droppedBytes: 0, lastOutputAt: null } });
      const s = new StateStore(dir + '/state.json');
      s.load();
      s.saveJob(job(1, 0));
      s.saveJob(job(2, 0));
      await s.flush();
      const before = statSync(dir + '/journal.ndjson').size;
      s.saveJob(job(3, 6000)); // more than the limit leaves: part of it is written, then EFBIG
      const failure = await s.flush().then(() => null, (e) => ({ code: e.code, data: e.data, message: e.message }));
      const after = statSync(dir + '/journal.ndjson').size;
      console.log(JSON.stringify({ before, after, failure }));
    `;
    const r = spawnSync('/usr/bin/prlimit', ['--fsize=4096', process.execPath, '--input-type=module', '-e', script, scratch], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { before: number; after: number; failure: { code: number; data: { code: string }; message: string } | null };
    expect(out.before).toBeGreaterThan(0);
    expect(out.before).toBeLessThan(4096);
    expect(out.failure).toMatchObject({ code: -32011, data: { code: 'EFBIG' } });
    expect(out.failure!.message).toMatch(/^could not save job records: EFBIG/);
    expect(out.after).toBe(out.before); // the partial line was cut off
    const loaded = new StateStore(join(scratch, 'state.json')).load();
    expect([...loaded.jobs.keys()]).toEqual([1, 2]);
    expect(loaded.warnings).toEqual([]);
  });
});
