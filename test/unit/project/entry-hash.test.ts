// An entry's normal form and hash (client/project/entry-params.ts): the same meaning gives the same
// hash however it is written; any real change changes it, and the per-field digests name the field.

import { describe, expect, it } from 'vitest';
import { changedFields, entryHash, normalizeEntry, NORMAL_FIELDS, trackParams } from '../../../client/project/entry-params.js';
import type { ProjectEntry } from '../../../shared/schemas/project-file.js';

const CTX = { project: 'shop', dir: '/srv/shop', fileEnv: {} };
const hash = (e: ProjectEntry) => entryHash(normalizeEntry(e, CTX));

describe('entry normalisation and hash', () => {
  it('equal meaning, equal hash: units, signal spelling, priority names, service: true, cwd ".", after order, probe text', () => {
    const a: ProjectEntry = { command: ['x'], grace: '5s', stop_signal: 'INT', priority: 'high', service: true, max_memory: '1G', after: ['b', 'a:ready'], ready_when: 'listen=3000', env: { PORT: 3000 } };
    const b: ProjectEntry = { command: ['x'], grace: '5000ms', stop_signal: 'SIGINT', priority: 10, kind: 'service', max_memory: '1024M', after: ['a:ready', 'b'], ready_when: { when: 'listen=3000' }, env: { PORT: '3000' }, cwd: '.' };
    expect(hash(a)).toBe(hash(b));
  });

  it('key order in the file does not matter', () => {
    expect(hash({ shell: 's', restart: 'always', env: { A: '1', B: '2' } })).toBe(hash({ env: { B: '2', A: '1' }, restart: 'always', shell: 's' }));
  });

  it('a real change changes the hash, and changedFields names the field', () => {
    const base: ProjectEntry = { command: ['x'], env: { PORT: '1' } };
    const old = hash(base);
    const cases: [string, ProjectEntry][] = [
      ['env', { ...base, env: { PORT: '2' } }],
      ['command', { ...base, command: ['y'] }],
      ['restart', { ...base, restart: 'always' }],
      ['max_memory', { ...base, max_memory: '1M' }],
      ['cwd', { ...base, cwd: 'sub' }],
      ['ready_when', { ...base, ready_when: { when: 'listen=1', interval: '1s' } }],
    ];
    for (const [field, changed] of cases) {
      const n = normalizeEntry(changed, CTX);
      expect(entryHash(n), field).not.toBe(old);
      expect(changedFields(old, n), field).toEqual([field]);
    }
  });

  it('env files count: a changed value in one changes the hash', () => {
    const e: ProjectEntry = { shell: 's' };
    expect(entryHash(normalizeEntry(e, { ...CTX, fileEnv: { A: '1' } }))).not.toBe(entryHash(normalizeEntry(e, { ...CTX, fileEnv: { A: '2' } })));
  });

  it('hashes are stable: the values running jobs were started with still compare equal (and stay so when the field digests are reused)', () => {
    // Written by the code before field digests were memoised: a job started then must read as unchanged now.
    const ctx = { project: 'shop', dir: '/srv/shop', fileEnv: { A: '1' } };
    const rich: ProjectEntry = { command: ['x', 'y'], grace: '5s', stop_signal: 'INT', priority: 'high', service: true, max_memory: '1G', after: ['b', 'a:ready'], ready_when: 'listen=3000', env: { PORT: 3000 }, cwd: 'sub' };
    const expected = ['v1.331bcad90cc55457.AfZdCNLte9S7dCNdCNPpsdCNdCNdCNdCNdCNAr-dCNdCNdCNdCNdCNsX-D46dCNdCNdCNdCNSkT0mUgNsdCN', 'v1.61b68ab72c5836de.dCND0Z5MBxz3dCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCNdCN'];
    for (let round = 0; round < 2; round++) {
      expect(entryHash(normalizeEntry(rich, ctx))).toBe(expected[0]);
      expect(entryHash(normalizeEntry({ shell: 's' }, ctx))).toBe(expected[1]);
      expect(changedFields(expected[0]!, normalizeEntry({ ...rich, grace: '6s' }, ctx))).toEqual(['grace']);
    }
  });

  it('fits the protocol (at most 200 characters) and an unknown hash gives no field list', () => {
    expect(hash({ shell: 's' }).length).toBeLessThanOrEqual(200);
    expect(hash({ shell: 's' })).toMatch(new RegExp(`^v1\\.[0-9a-f]{16}\\.[A-Za-z0-9_-]{${NORMAL_FIELDS.length * 3}}$`));
    expect(changedFields('abc', normalizeEntry({ shell: 's' }, CTX))).toBeNull();
  });

  it('track params: PROJECT/NAME, the env over the base environment, durations in ms, after as full names, declared', () => {
    const n = normalizeEntry({ shell: 'w', env: { A: 'mine' }, grace: '2s', max_memory: '512M', on_limit: 'restart', restart_delay: '1s', after: ['api:ready'], alive_when: { when: 'exec=true', failure_threshold: 2 } }, CTX);
    const p = trackParams(n, { project: 'shop', entry: 'worker', file: '/srv/shop/procd.yaml', hash: 'h' }, { PATH: '/bin', A: 'base' });
    expect(p).toEqual({
      name: 'shop/worker', shell: 'w', cwd: '/srv/shop', env: { PATH: '/bin', A: 'mine' }, stopGraceMs: 2000,
      limits: { maxMemoryBytes: 512 * 1024 * 1024, onLimit: 'restart' }, restart: { policy: 'on-failure', delayMs: 1000 },
      after: ['shop/api:ready'], probes: { alive: { when: 'exec=true', failureThreshold: 2 } },
      declared: { project: 'shop', entry: 'worker', file: '/srv/shop/procd.yaml', hash: 'h' },
    });
  });
});
