// Damaged state on a real daemon and a real short write: a garbage state.json after a crash
// loses no job (not even one only the rotated journal has), a record of the wrong shape does not
// stop the daemon, and a journal write cut short by the file size limit leaves no torn line.

import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job, JobSummary } from '../../shared/job.js';
import { StateStore } from '../../daemon/store/state-store.js';
import { processGone, REPO, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, parseJson, trackJob } from './helpers/jobs.js';
import { makeJob, queuedState } from '../helpers/job-factory.js';
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
    const daemonPid = async () => (await daemonStatus(daemon)).pid;
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
    expect(parseJson<JobSummary[]>(ls, 'ls --all --json').map((j) => `${j.id}:${j.name}:${j.state.kind}`)).toEqual(['1:first:completed', '2:second:completed']);
    const { warnings } = await daemonStatus(daemon);
    const text = warnings.join('\n');
    expect(text).toMatch(/state\.json is damaged .* moved aside/);
    expect(text).toMatch(/previous good snapshot/);
    expect(text).toMatch(/skipped 1 record\(s\) of the wrong shape: journal\.ndjson line \d+: job is null/);
    expect(text).toMatch(/journal\.ndjson\.corrupt-\d+/);
    const third = await trackJob(daemon, ['--', 'true']);
    expect(third.id).toBe(3);
  });
});

describe('a journal write cut short', () => {
  it.skipIf(!existsSync('/usr/bin/prlimit'))('by the file size limit is cut back and answered with StorageFailed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'procd-store-limit-'));
    scratch = dir;
    const store = pathToFileURL(join(REPO, 'dist/daemon/store/state-store.js')).href;
    const job = (id: number, pad: number) => makeJob({ id, description: 'x'.repeat(pad), createdAt: 1, dir: join(dir, String(id)), state: queuedState({ queuedAt: 1 }) });
    const script = `
      import { statSync } from 'node:fs';
      import { StateStore } from ${JSON.stringify(store)};
      const dir = process.argv[1];
      const [small1, small2, big] = ${JSON.stringify([job(1, 0), job(2, 0), job(3, 6000)])};
      const s = new StateStore(dir + '/state.json');
      s.load();
      s.saveJob(small1);
      s.saveJob(small2);
      await s.flush();
      const before = statSync(dir + '/journal.ndjson').size;
      s.saveJob(big); // more than the limit leaves: part of it is written, then EFBIG
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
