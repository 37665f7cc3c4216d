// A name means one live job: a second live job with a name is refused (NameInUse) unless
// --replace, which stops the live one and starts a new job; concurrent tracks of one name have
// one winner; names read as conditions (":" "=") or ids are refused, each with its own reason.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { Job } from '../../shared/job.js';
import { pidAlive, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobStatus, parseJson, pidOf, trackJob } from './helpers/jobs.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  await d?.cleanup();
});

interface JsonError {
  error: { code: number; name: string; message: string; data: Record<string, unknown> };
}

describe('a name means one live job', () => {
  it('refuses a second live job with the same name, naming the live job (exit 1, NameInUse)', async () => {
    const first = await trackJob(d, ['--name', 'dupe', '--', 'sleep', '300']);
    const again = await d.cli(['track', '--name', 'dupe', '--', 'sleep', '301']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`in use by job ${first.id}, which is running`);
    expect(again.stderr).toMatch(/--replace/);
    expect(again.stderr).toMatch(/\[NameInUse -32012\]/);
    const json = await d.cli(['track', '--json', '--name', 'dupe', '--', 'sleep', '302']);
    expect(json.code).toBe(1);
    expect(parseJson<JsonError>(json, 'track --json').error).toMatchObject({ code: ErrorCode.NameInUse, name: 'NameInUse', data: { name: 'dupe', id: first.id, state: 'running' } });
    // Nothing was started for the refused tracks, and `kill dupe` stops the one live job.
    const kill = await d.cli(['kill', 'dupe']);
    expectExit(kill, 0, 'kill dupe');
    expect(pidAlive(pidOf(first))).toBe(false);
    const list = parseJson<Job[]>(await d.cli(['ls', '--all', '--json']), 'ls');
    expect(list.map((j) => j.id)).toEqual([first.id]);
  });

  it('a default name gets a free suffix instead of being refused', async () => {
    const a = await trackJob(d, ['--', 'sleep', '303']);
    const b = await trackJob(d, ['--', 'sleep', '304']);
    expect([a.name, b.name]).toEqual(['sleep', 'sleep-2']);
  });

  it('--replace stops the live job (kill procedure) and starts the spec as a new job; the old record stays', async () => {
    const old = await trackJob(d, ['--name', 'web', '--', 'sleep', '305']);
    const fresh = await trackJob(d, ['--name', 'web', '--replace', '--', 'sleep', '306']);
    expect(fresh.id).not.toBe(old.id);
    expect(fresh.state.kind).toBe('running');
    expect(pidAlive(pidOf(old))).toBe(false);
    expect((await jobStatus(d, old.id)).state).toMatchObject({ kind: 'killed', kill: { reason: 'user', signal: 'SIGTERM' } });
    expect((await jobStatus(d, 'web')).id).toBe(fresh.id);
    // Without a live job of that name, --replace just starts it.
    const solo = await trackJob(d, ['--name', 'solo', '--replace', '--', 'sleep', '307']);
    expect(solo.state.kind).toBe('running');
  });

  it('of concurrent tracks with one name exactly one wins', async () => {
    const c = await d.client();
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => c.track({ argv: ['sleep', String(310 + i)], cwd: '/', name: 'race' })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(4);
    for (const r of lost) expect(r.reason).toMatchObject({ code: ErrorCode.NameInUse });
    expect(lost[0]!.reason).toBeInstanceOf(ProcdError);
    expect((await c.list({ all: true })).length).toBe(1);
  });

  it('refuses names with ":" or "=", all digits, spaces, invisible characters or empty, each with its own reason', async () => {
    const cases: [string, RegExp][] = [
      ['web:ready', /contains ":" or "="/],
      ['a=b', /contains ":" or "="/],
      ['42', /all digits, which reads as a job id/],
      ['my server', /contains a space/],
      ['', /is empty/],
      // A right-to-left override and a zero-width space: a name that looks like another one.
      ['zw\u200bj\u202eevil', /invisible or text-direction character/],
    ];
    for (const [name, message] of cases) {
      const r = await d.cli(['track', '--name', name, '--', 'true']);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(message);
    }
    // The daemon refuses them too, with the same distinct reasons (a program, not the CLI).
    const c = await d.client();
    const refusal = async (name: string) => {
      const err = await c.track({ argv: ['true'], cwd: '/', name }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, name).toMatchObject({ code: ErrorCode.InvalidParams, data: { field: 'params.name' } });
      return (err as ProcdError).message;
    };
    expect(await refusal('web:ready')).toMatch(/without ":" or "="/);
    expect(await refusal('42')).toMatch(/not all digits/);
    expect(await refusal('a b')).toMatch(/without spaces/);
    expect(await refusal('')).toMatch(/non-empty name/);
    expect(await refusal('we\u200bb')).toMatch(/without invisible or text-direction characters/);
    expect((await c.list({ all: true })).length).toBe(0);
  });
});

describe('status shows what a job was started with as text', () => {
  it('a description, shell or cwd with newlines and escape sequences is shown escaped: no extra rows, nothing sent to the terminal', async () => {
    const hostile = 'line1\nFAKE-FIELD   value\u001b]52;c;ZWNobyBwd25lZA==\u0007\u001b[2J';
    const r = await d.cli(['track', '--name', 'described', '--description', hostile, '--wait', '--', 'true']);
    expect(r.code, r.stderr).toBe(0);
    const shown = await d.cli(['status', 'described']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).not.toMatch(/\u001b|\u0007/);
    expect(shown.stdout.split('\n').filter((l) => l.startsWith('FAKE-FIELD'))).toEqual([]);
    expect(shown.stdout).toContain('line1\\nFAKE-FIELD   value\\x1b]52;c;ZWNobyBwd25lZA==\\x07\\x1b[2J');
  });
});
