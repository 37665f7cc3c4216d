// Output is byte-exact and bounded: 200 MB through the shim and back through `procd logs`,
// binary bytes and partial lines, tail, and --follow seeing lines as they are written.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/job.js';
import { CLI, FIXTURES, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { jobStatus, parseJson, trackJob } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  await d?.cleanup();
});

describe('output', () => {
  it('200 MB from one child lands byte-exact', async () => {
    const size = 200_000_000;
    const r = await d.cli(['track', '--wait', '--json', '--max-output', '256m', '--', process.execPath, join(FIXTURES, 'pattern.mjs'), String(size)], { timeoutMs: 180_000 });
    expect(r.code).toBe(0);
    const job = parseJson<Job>(r, 'track --wait --json');
    expect(job.output.stdoutBytes).toBe(size);
    const expected = (await d.cli(['logs', String(job.id), '--stream', 'stderr'])).stdout.trim();
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
    // Stream `procd logs` straight into a hash: never hold 200 MB in the test.
    const actual = await new Promise<{ hash: string; bytes: number }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'logs', String(job.id), '--stream', 'stdout'], { env: d.env, stdio: ['ignore', 'pipe', 'inherit'] });
      const hash = createHash('sha256');
      let bytes = 0;
      child.stdout.on('data', (b: Buffer) => {
        hash.update(b);
        bytes += b.length;
      });
      child.on('error', reject);
      child.on('close', () => resolve({ hash: hash.digest('hex'), bytes }));
    });
    expect(actual.bytes).toBe(size);
    expect(actual.hash).toBe(expected);
  }, 300_000);

  it('binary bytes and a trailing partial line come back exactly, streams apart and interleaved', async () => {
    // Two pipes carry no common clock: order is what the shim sees, so the writes are spaced out.
    const script = "printf 'a\\000b\\377\\n'; sleep 0.2; printf 'err1\\n' >&2; sleep 0.2; printf 'out2'; sleep 0.2; printf 'err2' >&2";
    const r = await d.cli(['track', '--wait', '--shell', script]);
    expect(r.code).toBe(0);
    const out = await d.cli(['logs', '1', '--stream', 'stdout']);
    expect(out.stdoutBytes).toEqual(Buffer.from([0x61, 0x00, 0x62, 0xff, 0x0a, ...Buffer.from('out2')]));
    const err = await d.cli(['logs', '1', '--stream', 'stderr']);
    expect(err.stdout).toBe('err1\nerr2');
    const both = await d.cli(['logs', '1', '--json']);
    const chunks = both.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { stream: string; data: string })
      .map((c) => `${c.stream}:${Buffer.from(c.data, 'base64').toString('latin1')}`);
    expect(chunks).toEqual(['stdout:a\0b\xff\n', 'stderr:err1\n', 'stdout:out2', 'stderr:err2']);
  });

  it('--tail N gives the last N lines', async () => {
    const r = await d.cli(['track', '--wait', '--shell', 'for i in $(seq 1 1000); do echo "n$i"; done']);
    expect(r.code).toBe(0);
    const tail = await d.cli(['logs', '1', '--tail', '3']);
    expect(tail.stdout).toBe('n998\nn999\nn1000\n');
  });

  it('logs --follow sees lines as they are written and ends with the job', async () => {
    const job = await trackJob(d, ['--', process.execPath, join(FIXTURES, 'chatty.mjs'), '100', '30']);
    const follower = spawn(process.execPath, [CLI, 'logs', String(job.id), '--follow'], { env: d.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    follower.stdout.on('data', (b: Buffer) => (seen += b.toString()));
    try {
      // Lines arrive while the job still runs: line 3 is visible long before line 29 is written.
      await waitFor(() => seen.includes('line 3\n'), { what: 'line 3 through --follow', timeoutMs: 10_000 });
      const status = await jobStatus(d, job.id);
      expect(status.state.kind).toBe('running');
      expect(seen).not.toContain('line 29');
      const code = await new Promise<number | null>((resolve) => follower.on('close', resolve));
      expect(code).toBe(0);
      const lines = seen.trim().split('\n');
      expect(lines).toEqual(Array.from({ length: 30 }, (_, i) => `line ${i}`));
    } finally {
      follower.kill('SIGKILL');
    }
  });

  it('caps disk use per stream and says how much was dropped', async () => {
    const r = await d.cli(['track', '--wait', '--max-output', '64k', '--', process.execPath, join(FIXTURES, 'pattern.mjs'), String(1 << 20)]);
    expect(r.code).toBe(0);
    const job = await jobStatus(d, 1);
    expect(job.output.stdoutBytes).toBe(1 << 20);
    expect(job.output.droppedBytes).toBeGreaterThanOrEqual((1 << 20) - (64 << 10));
    const logs = await d.cli(['logs', '1', '--stream', 'stdout']);
    expect(logs.stdoutBytes.length).toBe((1 << 20) - job.output.droppedBytes);
    expect(logs.stdoutBytes.length).toBeLessThanOrEqual(64 << 10);
    expect(logs.stderr).toMatch(/dropped at the disk cap/);
  });
});
