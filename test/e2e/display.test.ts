// What a user reads, end to end through the real daemon and CLI: `ls` fits 80 columns and counts
// the finished jobs it leaves out, JSON answers carry no environment values unless asked for.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isTerminal } from '../../shared/job.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon({ env: { PROCD_GRACE: '300ms' } });
});
afterEach(async () => {
  await d?.cleanup();
});

describe('display', () => {
  it('ls fits 80 columns, says when finished jobs ended, and how many older ones it hides', async () => {
    const c = await d.client();
    const quick: { id: number }[] = [];
    for (let i = 1; i <= 12; i++) quick.push(await c.track({ argv: ['true'], cwd: d.home, name: `quick-${i}` }));
    await c.wait({ jobs: quick.map((j) => j.id) });
    const long = await c.track({ argv: ['sh', '-c', 'sleep 300', 'with', 'a', 'long', 'argument', 'list', 'that', 'cannot', 'fit', 'in', 'eighty', 'columns'], cwd: d.home, name: 'a-really-long-development-server-name' });
    const r = await d.cli(['ls'], { env: { COLUMNS: '80' } });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80);
    expect(lines.find((l) => l.startsWith(`${long.id} `))).toMatch(/^\d+ +a-real\S*… +running .* sh -c 'sleep 300' with.*…$/);
    expect(lines.find((l) => l.startsWith(`${quick[11]!.id} `))).toMatch(/ended (just now|\d+[smh] ago) +true$/);
    expect(lines.at(-1)).toBe('2 older finished jobs are not shown (procd ls --all shows every job)');
    expect((await d.cli(['ls', '--all'])).stdout).not.toMatch(/not shown/);
    await c.kill({ jobs: [long.id] });
    await waitFor(async () => isTerminal((await c.status({ job: long.id })).state), { what: 'the long job to end' });
  });

  it('JSON answers count the environment but carry its values only with --env / env: true', async () => {
    const secret = 'hunter2-token-value';
    const tracked = await d.cli(['track', '--json', '--name', 'envy', '--env', `API_TOKEN=${secret}`, '--', 'true']);
    expect(tracked.code).toBe(0);
    expect(tracked.stdout).not.toContain(secret);
    const job = JSON.parse(tracked.stdout) as { id: number; spec: { envCount: number; env?: unknown } };
    expect(job.spec.envCount).toBeGreaterThan(1);
    expect(job.spec.env).toBeUndefined();
    const waited = await d.cli(['wait', '--json', 'envy']);
    expect(waited.stdout).toMatch(/"envCount"/);
    expect(waited.stdout).not.toContain(secret);
    expect((await d.cli(['wait', '--json', '--env', 'envy'])).stdout).toContain(`"API_TOKEN": "${secret}"`);
    const status = await d.cli(['status', '--json', 'envy']);
    expect(status.stdout).not.toContain(secret);
    expect((await d.cli(['status', '--json', '--env', 'envy'])).stdout).toContain(`"API_TOKEN": "${secret}"`);
    expect((await d.cli(['status', 'envy', '--env'])).stdout).toContain(`API_TOKEN=${secret}`);
    // The daemon's own answers, not only the CLI's printing.
    const c = await d.client();
    expect((await c.status({ job: job.id })).spec).not.toHaveProperty('env');
    expect((await c.status({ job: job.id, env: true })).spec.env).toMatchObject({ API_TOKEN: secret });
    expect(JSON.stringify(await c.wait({ jobs: [job.id] }))).not.toContain(secret);
  });
});
