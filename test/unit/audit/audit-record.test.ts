import { describe, expect, it } from 'vitest';
import { auditParams, auditRecord, MAX_ARRAY_ITEMS, MAX_STRING_CHARS, resultInShort } from '../../../daemon/audit/audit-record.js';
import { ErrorCode } from '../../../shared/errors.js';
import { METHOD_SPECS, type MethodName } from '../../../shared/methods.js';
import { METHOD_SCHEMAS } from '../../../shared/schemas/methods.js';

const client = { name: 'procd-cli/0.1.0', pid: 4242, via: 'up', connection: 7 };
const AUDITED = (Object.keys(METHOD_SPECS) as MethodName[]).filter((m) => (METHOD_SPECS[m] as { audited?: true }).audited);

describe('audit record', () => {
  it('marks exactly the calls that act on jobs, groups or records as audited (the table is the one source)', () => {
    expect(AUDITED.sort()).toEqual(
      ['adopt', 'cleanup', 'daemon.stop', 'group.rm', 'group.set', 'kill', 'pause', 'priority', 'release', 'restart', 'resume', 'rm', 'prune', 'signal', 'track'].sort(),
    );
    // Every method that changes durable state is audited, whatever else is.
    for (const m of Object.keys(METHOD_SPECS) as MethodName[]) if (METHOD_SPECS[m].mutates) expect(AUDITED, m).toContain(m);
  });

  it('keeps the environment names of a track and never a value', () => {
    const r = auditRecord({
      at: 1000,
      method: 'track',
      client,
      params: { argv: ['node', 'server.js'], cwd: '/app', env: { PATH: '/usr/bin', API_TOKEN: 'hunter2-secret' }, name: 'web' },
      ms: 3,
      outcome: { ok: true, result: { id: 12, name: 'web' } },
    });
    expect(r.params).toEqual({ argv: ['node', 'server.js'], cwd: '/app', envKeys: ['API_TOKEN', 'PATH'], name: 'web' });
    expect(JSON.stringify(r)).not.toContain('hunter2-secret');
    expect(r).toMatchObject({ at: 1000, method: 'track', client, ms: 3, result: { ok: true, jobs: [12] } });
  });

  it('strips env values wherever an env map appears, also in params that failed validation', () => {
    const params = auditParams({ entries: [{ env: { SECRET: 'x1' } }], env: { K: 'v2' }, extra: 'y' });
    expect(JSON.stringify(params)).not.toMatch(/x1|v2/);
    expect(params).toEqual({ entries: [{ envKeys: ['SECRET'] }], envKeys: ['K'], extra: 'y' });
    // An env of the wrong shape (refused by validation, audited all the same) keeps nothing of its values.
    for (const env of [['API_KEY=s3cr3t'], 'API_KEY=s3cr3t', 42]) expect(JSON.stringify(auditParams({ argv: ['x'], env }))).not.toMatch(/s3cr3t|42/);
    expect(auditParams('junk')).toEqual({ invalid: 'junk' });
    expect(auditParams(undefined)).toEqual({});
  });

  it('cuts long strings and lists so one huge call cannot bloat the log', () => {
    const p = auditParams({ shell: 'x'.repeat(10_000), argv: Array.from({ length: 1000 }, (_, i) => `a${i}`) });
    expect((p.shell as string).length).toBeLessThan(MAX_STRING_CHARS + 40);
    expect(p.shell).toMatch(/\(10000 chars\)$/);
    expect(p.argv).toHaveLength(MAX_ARRAY_ITEMS + 1);
    expect((p.argv as string[]).at(-1)).toBe(`… (+${1000 - MAX_ARRAY_ITEMS} more)`);
  });

  it('records a parameter of every audited method from its documented example, without env values', () => {
    for (const method of AUDITED) {
      const example = METHOD_SCHEMAS[method].example as { params: Record<string, unknown>; result: unknown };
      const r = auditRecord({ at: 1, method, client, params: example.params, ms: 1, outcome: { ok: true, result: example.result } });
      expect(r.method).toBe(method);
      for (const key of Object.keys(example.params)) expect(r.params, `${method}.${key}`).toHaveProperty(key === 'env' ? 'envKeys' : key);
      if (example.params.env) expect(JSON.stringify(r.params)).not.toContain(JSON.stringify(example.params.env));
      expect(r.result.ok).toBe(true);
    }
  });

  it('says in short what a call did: job ids, per-job failures, removed ids, a group, or the error', () => {
    const failure = { ref: 'gone', ok: false, id: null, error: { code: ErrorCode.JobNotFound, name: 'JobNotFound', message: 'no job', data: {} } };
    expect(resultInShort({ ok: true, result: [{ ref: 3, ok: true, id: 3 }, failure] })).toEqual({ ok: true, jobs: [3], failed: [{ ref: 'gone', error: 'JobNotFound' }] });
    expect(resultInShort({ ok: true, result: { dryRun: false, removed: [1, 2], jobs: [], failed: [failure] } })).toEqual({ ok: true, jobs: [1, 2], failed: [{ ref: 'gone', error: 'JobNotFound' }] });
    expect(resultInShort({ ok: true, result: { name: 'gpu', parallel: 2, paused: false, running: 0, queued: 0 } })).toEqual({ ok: true, jobs: [], group: 'gpu' });
    expect(resultInShort({ ok: true, result: { dryRun: false, leftovers: { jobs: [4], pids: [9] }, zombies: [], reapedParents: [], pruned: [5, 4] } })).toEqual({ ok: true, jobs: [4, 5] });
    expect(resultInShort({ ok: false, code: ErrorCode.NameInUse, message: 'a live job is named web' })).toEqual({ ok: false, code: ErrorCode.NameInUse, error: 'NameInUse', message: 'a live job is named web' });
  });
});
