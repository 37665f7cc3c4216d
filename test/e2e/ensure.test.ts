// `track --ensure`: an idempotent start. The same job asked for again is answered (same id,
// `reused`), not started twice — also when the asks race; the same name with another spec is
// refused with the difference; --replace then replaces it.

import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { JobView } from '../../shared/job.js';
import type { ResultOf } from '../../shared/methods.js';
import { pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobStatus, listJobs, parseJson, pidOf } from './helpers/jobs.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

type Tracked = ResultOf<'track'>;

async function ensure(t: TestDaemon, args: string[]): Promise<Tracked> {
  const r = await t.cli(['track', '--ensure', '--json', ...args]);
  expectExit(r, 0, `track --ensure ${args.join(' ')}`);
  return parseJson<Tracked>(r, 'track --ensure');
}

describe('track --ensure', () => {
  it('a second --ensure start answers the first job (same id and process, reused) and starts nothing', async () => {
    d = await startTestDaemon();
    const first = await ensure(d, ['--name', 'web', '--', 'sleep', '300']);
    expect(first.reused).toBeUndefined();
    const second = await ensure(d, ['--name', 'web', '--', 'sleep', '300']);
    expect(second).toMatchObject({ id: first.id, reused: true, state: { kind: 'running', pid: pidOf(first) } });
    // Without a name: the same command and cwd is the same job.
    const unnamed = await ensure(d, ['--', 'sleep', '300']);
    expect(unnamed).toMatchObject({ id: first.id, reused: true });
    // A terminal prints it as reused; a pipe gets the id alone, as for a new job.
    const piped = await d.cli(['track', '--ensure', '--name', 'web', '--', 'sleep', '300']);
    expect(piped.stdout.trim()).toBe(String(first.id));
    expect((await listJobs(d, ['--all'])).map((j) => j.id)).toEqual([first.id]);
  });

  it('the same name with another spec is refused with the difference shown (exit 1, SpecDiffers)', async () => {
    d = await startTestDaemon();
    const first = await ensure(d, ['--name', 'web', '--env', 'PORT=3000', '--', 'sleep', '300']);
    const r = await d.cli(['track', '--ensure', '--name', 'web', '--env', 'PORT=4000', '--timeout', '1h', '--', 'sleep', '301']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`a live job named web (job ${first.id}, running) runs another spec: command: sleep 300 → sleep 301; env.PORT: set → another value; timeout: none → 1h`);
    expect(r.stderr).toMatch(/--ensure --replace/);
    expect(r.stderr).toMatch(/\[SpecDiffers -32029\]/);
    expect(r.stderr).not.toMatch(/4000|3000/);
    const json = await d.cli(['track', '--ensure', '--json', '--name', 'web', '--', 'sleep', '301']);
    expect(parseJson<{ error: { code: number; data: { id: number; differences: unknown[] } } }>(json, 'track --json').error).toMatchObject({
      code: ErrorCode.SpecDiffers,
      data: { id: first.id, differences: expect.arrayContaining([{ field: 'command', old: 'sleep 300', new: 'sleep 301' }]) },
    });
    // Nothing was started, the live job is untouched.
    expect((await listJobs(d, ['--all'])).map((j) => j.id)).toEqual([first.id]);
    expect(pidAlive(pidOf(first))).toBe(true);
  });

  it('--ensure --replace stops the live job with another spec and starts the new one; the same spec is still reused', async () => {
    d = await startTestDaemon();
    const old = await ensure(d, ['--name', 'web', '--', 'sleep', '300']);
    const fresh = await ensure(d, ['--replace', '--name', 'web', '--', 'sleep', '301']);
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.reused).toBeUndefined();
    expect(fresh.spec.command).toEqual({ kind: 'argv', argv: ['sleep', '301'] });
    expect((await jobStatus(d, old.id)).state.kind).toBe('killed');
    expect(pidAlive(pidOf(old))).toBe(false);
    const same = await ensure(d, ['--replace', '--name', 'web', '--', 'sleep', '301']);
    expect(same).toMatchObject({ id: fresh.id, reused: true });
    // Unnamed, --replace concerns only a job of the same command and cwd: a job of another command
    // that holds the default name keeps running, and this one gets a free name.
    const other = await ensure(d, ['--replace', '--', 'sleep', '302']);
    expect(other.name).toBe('sleep');
    const second = await ensure(d, ['--replace', '--', 'sleep', '303']);
    expect(second.name).toBe('sleep-2');
    expect((await jobStatus(d, other.id)).state.kind).toBe('running');
  });

  it('concurrent --ensure starts of one job start it once (named and unnamed)', async () => {
    d = await startTestDaemon();
    // One connection per ask, as parallel CLI calls would be (the helper closes them).
    const clients = await Promise.all(Array.from({ length: 6 }, () => d!.client()));
    const c = clients[0]!;
    const named = await Promise.all(clients.map((k) => k.track({ argv: ['sleep', '310'], cwd: '/', name: 'race', ensure: true })));
    const unnamed = await Promise.all(clients.map((k) => k.track({ argv: ['sleep', '311'], cwd: '/', ensure: true })));
    for (const answers of [named, unnamed]) {
      expect(new Set(answers.map((j) => j.id)).size).toBe(1);
      expect(answers.filter((j) => !j.reused)).toHaveLength(1);
    }
    const live = (await listJobs(d)).filter((j) => j.state.kind === 'running');
    expect(live.map((j) => j.spec.command)).toEqual([
      { kind: 'argv', argv: ['sleep', '310'] },
      { kind: 'argv', argv: ['sleep', '311'] },
    ]);
    // Concurrent asks with another spec: one job runs, the others are refused with SpecDiffers.
    const mixed = await Promise.allSettled([c.track({ argv: ['sleep', '312'], cwd: '/', name: 'mix', ensure: true }), clients[1]!.track({ argv: ['sleep', '313'], cwd: '/', name: 'mix', ensure: true })]);
    const refused = mixed.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(ProcdError);
    expect((refused[0]!.reason as ProcdError).code).toBe(ErrorCode.SpecDiffers);
    expect((await listJobs(d)).filter((j: JobView | (typeof live)[number]) => j.name === 'mix')).toHaveLength(1);
  });
});
