// Commands as big as the OS runs them (`eslint $(git ls-files)`): 10,000 arguments, one of them
// ~100 KiB, and over 1 MiB of environment reach the job byte for byte; `ls` stays small; what is
// still too large is refused saying which part and what to do, and the daemon keeps running.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, ProcdError } from '../../shared/errors.js';
import type { Job } from '../../shared/job.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobStatus, listJobs, parseJson } from './helpers/jobs.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(async () => {
  await d?.cleanup();
});

/** `bytes` of text with quotes, shell metacharacters, tabs, newlines and multi-byte characters. */
function awkward(bytes: number): string {
  const unit = `a'"\\$\`é€ \t\n*?[x;`;
  let s = unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit)));
  while (Buffer.byteLength(s) > bytes) s = s.slice(0, -1);
  return s;
}

/** Variables of `size` bytes each (no NUL), `count` of them. */
function bigEnv(count: number, size: number, text: (n: number) => string = awkward): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`PROCD_BIG_${i}`, text(size)]));
}

describe('big commands', () => {
  it('10,000 arguments (the last ~100 KiB) and 1.2 MiB of environment reach the job byte for byte; ls carries a short form, status the whole', async () => {
    const last = awkward(100 * 1024);
    const numbers = Array.from({ length: 10_000 }, (_, i) => String(i + 1));
    const env = bigEnv(12, 100_000);
    // The job prints its argument count, its last argument and one big variable, nothing else.
    const script = 'for last; do :; done; printf "%s\\n%s" "$#" "$last"; printf %s "$PROCD_BIG_7"';
    const argv = ['sh', '-c', script, 'x', ...numbers, last];
    const r = await d.cli(['track', '--json', '--wait', '--', ...argv], { env });
    expectExit(r, 0, 'track --wait (big)');
    const job = parseJson<Job>(r, 'track --wait (big)');
    const out = await d.cli(['logs', String(job.id), '--stream', 'stdout']);
    expect(out.stdoutBytes.equals(Buffer.from(`10001\n${last}${env.PROCD_BIG_7}`))).toBe(true);

    const status = await jobStatus(d, job.id);
    expect(status.spec.command).toEqual({ kind: 'argv', argv });
    const [summary] = (await listJobs(d, ['--all'])).filter((j) => j.id === job.id);
    expect(summary?.spec.commandShortened).toEqual({ items: argv.length, chars: argv.reduce((n, a) => n + a.length, 0) });
    expect(JSON.stringify(summary?.spec.command).length).toBeLessThan(10_000);
    expect(summary?.spec.command.kind === 'argv' && summary.spec.command.argv.slice(0, 3)).toEqual(argv.slice(0, 3));
  });

  it('a request over the message limit says which part is large and how to fix it (--clean-env); the connection and the daemon stay usable', async () => {
    const c = await d.client();
    const err = await c.track({ argv: ['true'], cwd: '/', env: bigEnv(50, 100_000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProcdError);
    expect((err as ProcdError).code).toBe(ErrorCode.FrameTooLarge);
    expect((err as ProcdError).message).toMatch(/the environment \d+\.\dMiB \(50 variables\).*--clean-env.*--env K=V/);
    expect((err as ProcdError).data).toMatchObject({ limit: 4 << 20, parts: { env: expect.any(Number), argv: expect.any(Number) } });
    expect((await c.hello()).pid).toBeGreaterThan(0);

    // Through the CLI: 1.2 MiB of control characters is 7 MiB as JSON.
    const r = await d.cli(['track', '--', 'true'], { env: bigEnv(12, 100_000, (n) => '\x01'.repeat(n)) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/procd track: the track request is \d+\.\dMiB.*the environment.*--clean-env.*\[FrameTooLarge -32004\]/);
  });

  it('a command the OS refuses (E2BIG: 3 MiB of environment) fails to start saying which part and what to do', async () => {
    const c = await d.client();
    const job = await c.track({ argv: ['true'], cwd: '/', env: bigEnv(30, 100_000) });
    const [ended] = (await c.wait({ jobs: [job.id] })).jobs;
    expect(ended?.state).toMatchObject({ kind: 'failed', spawnError: { code: 'E2BIG' } });
    const message = ended?.state.kind === 'failed' ? ended.state.spawnError?.message : '';
    expect(message).toMatch(/too large for the system's exec limit \(ARG_MAX\).*environment 300\d+ bytes in \d+ variables; start the job with --clean-env/);
  });
});
