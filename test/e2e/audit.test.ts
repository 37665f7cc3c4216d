// The audit log with a real daemon: `procd track` and `procd kill` are recorded with the client's
// name, pid and command and never an environment value; `procd up`/`down` are marked as theirs;
// the log survives a SIGKILL of the daemon; rotation keeps it bounded on disk.

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../shared/audit.js';
import { processGone, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, expectExit, parseJson, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

const SECRET = 'tok-5f1c9e-never-in-the-audit';

async function audit(args: string[] = []): Promise<AuditRecord[]> {
  return parseJson<AuditRecord[]>(await d!.cli(['audit', '--json', ...args]), `audit ${args.join(' ')}`);
}

describe('procd audit', () => {
  it('records track and kill with the client name, pid and command, the job ids, and env names without values', async () => {
    d = await startTestDaemon();
    const job = await trackJob(d, ['--name', 'audited', '--env', `API_TOKEN=${SECRET}`, '--', 'sleep', '413001'], { code: 0 });
    expectExit(await d.cli(['kill', 'audited']), 0, 'kill');
    expectExit(await d.cli(['kill', 'no-such-job']), 1, 'kill of a missing job');
    expectExit(await d.cli(['ls']), 0, 'ls');

    const records = await audit();
    // Newest first; reads (ls, status, audit itself) are not audited.
    expect(records.map((r) => r.method)).toEqual(['kill', 'kill', 'track']);
    const [missing, kill, track] = records as [AuditRecord, AuditRecord, AuditRecord];
    expect(track.client).toMatchObject({ name: expect.stringMatching(/^procd-cli\//), via: 'track', pid: expect.any(Number) });
    expect(track.params).toMatchObject({ argv: ['sleep', '413001'], name: 'audited' });
    expect(track.params.envKeys).toContain('API_TOKEN');
    expect(track.params).not.toHaveProperty('env');
    expect(track.result).toEqual({ ok: true, jobs: [job.id] });
    expect(kill).toMatchObject({ client: { via: 'kill' }, params: { jobs: ['audited'] }, result: { ok: true, jobs: [job.id] } });
    expect(kill.client.pid).not.toBe(track.client.pid);
    expect(missing.result).toEqual({ ok: true, jobs: [], failed: [{ ref: 'no-such-job', error: 'JobNotFound' }] });

    // The token is nowhere on disk in the audit, nor in what the CLI prints.
    for (const f of readdirSync(d.home).filter((n) => n.startsWith('audit'))) expect(readFileSync(join(d.home, f), 'utf8')).not.toContain(SECRET);
    const human = await d.cli(['audit']);
    expectExit(human, 0, 'audit');
    expect(human.stdout).toMatch(/kill\s+ok \d+\s+procd-cli\/\S+ pid \d+ \(kill\)/);
    expect(human.stdout).not.toContain(SECRET);

    // Filters: --method, --since.
    expect((await audit(['--method', 'track'])).map((r) => r.method)).toEqual(['track']);
    expect(await audit(['--since', '1ms', '--method', 'prune'])).toEqual([]);
  });

  it('records a refused call with its error code, and bad input to audit itself is a usage error', async () => {
    d = await startTestDaemon();
    expectExit(await d.cli(['signal', '999', 'HUP']), 1, 'signal of a missing job');
    const [rec] = await audit();
    expect(rec).toMatchObject({ method: 'signal', result: { ok: false, error: 'JobNotFound', code: -32000 }, params: { job: 999, signal: 'HUP' } });
    const bad = await d.cli(['audit', '--method', 'nonsense', '--json']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('params.methods[0]');
    expectExit(await d.cli(['audit', '--since', 'yesterday']), 2, 'audit with a bad duration');
    expect((await daemonStatus(d)).pid).toBeGreaterThan(0);
  });

  it('marks the calls procd up and procd down make as theirs', async () => {
    d = await startTestDaemon();
    const dir = join(d.home, 'proj');
    mkdirSync(dir);
    writeFileSync(join(dir, 'procd.yaml'), `name: au\njobs:\n  one:\n    command: [sleep, "413002"]\n    env:\n      DB_PASSWORD: ${SECRET}\n`);
    expectExit(await d.cli(['up'], { cwd: dir }), 0, 'up');
    expectExit(await d.cli(['down'], { cwd: dir }), 0, 'down');
    const records = await audit();
    const track = records.find((r) => r.method === 'track');
    const kill = records.find((r) => r.method === 'kill');
    expect(track?.client.via).toBe('up');
    expect(track?.params.envKeys).toContain('DB_PASSWORD');
    expect(kill?.client.via).toBe('down');
    expect(JSON.stringify(records)).not.toContain(SECRET);
  });

  it('survives a SIGKILL of the daemon, and rotation keeps the files bounded', async () => {
    d = await startTestDaemon({ env: { PROCD_AUDIT_MAX_BYTES: '4k', PROCD_AUDIT_KEEP: '2' } });
    const job = await trackJob(d, ['--name', 'before-crash', '--', 'sleep', '413003'], { code: 0 });
    expectExit(await d.cli(['kill', String(job.id)]), 0, 'kill');
    const oldPid = (await daemonStatus(d)).pid;
    process.kill(oldPid, 'SIGKILL');
    await waitFor(() => processGone(oldPid), { what: 'the daemon to die' });

    // The next CLI call autostarts a new daemon, which reads what the killed one wrote.
    const after = await audit();
    expect(after.map((r) => r.method)).toEqual(['kill', 'track']);
    expect(after[1]?.result).toEqual({ ok: true, jobs: [job.id] });

    // Many calls: the log rotates at 4 KiB and keeps 2 older files.
    for (let i = 0; i < 40; i++) expectExit(await d.cli(['signal', `missing-${i}`, 'HUP']), 1, 'signal');
    const files = readdirSync(d.home).filter((n) => n.startsWith('audit')).sort();
    expect(files).toEqual(['audit.1.jsonl', 'audit.2.jsonl', 'audit.jsonl']);
    for (const f of files) expect(statSync(join(d.home, f)).size).toBeLessThanOrEqual(4096);
    const kept = await audit(['--limit', '1000']);
    expect(kept[0]?.params).toEqual({ job: 'missing-39', signal: 'HUP' });
    expect(kept.length).toBeLessThan(42);
  }, 120_000);
});
