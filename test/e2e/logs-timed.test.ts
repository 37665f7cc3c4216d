// What `logs` returns besides the bytes: text when they are valid UTF-8, when the shim read each
// chunk (`procd logs --timestamps` prefixes lines with it), and eof on the first read of a
// finished job that returned everything.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogChunk } from '../../shared/methods.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { trackJob, waitForEnd } from './helpers/jobs.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon();
});
afterEach(async () => {
  await d?.cleanup();
});

describe('logs results', () => {
  it('the first read of a finished job returns everything with eof: true', async () => {
    const job = await trackJob(d, ['--shell', 'echo out; echo err >&2']);
    await waitForEnd(d, job.id);
    const c = await d.client();
    const r = await c.logs({ job: job.id });
    expect(r.chunks.map((ch) => `${ch.stream}:${ch.text}`).join('')).toBe('stdout:out\nstderr:err\n');
    expect(r.eof).toBe(true);
    // Only part of it: not yet.
    const part = await c.logs({ job: job.id, maxBytes: 2 });
    expect(part.eof).toBe(false);
    expect((await c.logs({ job: job.id, stream: 'stderr' })).eof).toBe(true);
  });

  it('carry text when the bytes are valid UTF-8, and when the shim read them (a pause splits a stream into chunks)', async () => {
    const gate = join(d.home, 'gate');
    const job = await trackJob(d, ['--', 'sh', '-c', 'printf "grüße\\n"; while [ ! -e "$1" ]; do sleep 0.02; done; printf "\\377\\n"', 'sh', gate]);
    const c = await d.client();
    const first = await waitFor(async () => (await c.logs({ job: job.id })).chunks[0], { what: 'the first line in the logs' });
    expect(first.text).toBe('grüße\n');
    expect(first.at).not.toBeNull();
    expect(first.at!).toBeGreaterThanOrEqual(job.createdAt);
    // Released well after the first line's arrival: its bytes arrive in a new run of the index.
    await waitFor(() => Date.now() >= first.at! + 250, { what: '250 ms to pass after the first line' });
    writeFileSync(gate, '');
    await waitForEnd(d, job.id);
    const r = await c.logs({ job: job.id });
    expect(r.chunks).toHaveLength(2);
    const [a, b] = r.chunks as [LogChunk, LogChunk];
    expect(a).toEqual(first);
    expect(b.stream).toBe('stdout');
    expect(Buffer.from(b.data, 'base64')).toEqual(Buffer.from([0xff, 0x0a]));
    expect(b.text).toBeUndefined();
    expect(b.at!).toBeGreaterThanOrEqual(a.at! + 250);
  });

  it('procd logs --timestamps prefixes each line, once, with its chunk\'s time', async () => {
    const r = await d.cli(['track', '--wait', '--shell', 'echo one; printf par; sleep 0.2; echo tial; echo err >&2']);
    expect(r.code).toBe(0);
    const chunks = (await d.cli(['logs', '1', '--json'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as LogChunk);
    const iso = (at: number | null) => new Date(at!).toISOString();
    const out = await d.cli(['logs', '1', '--timestamps']);
    expect(out.code).toBe(0);
    const outChunks = chunks.filter((c) => c.stream === 'stdout');
    const lines = out.stdout.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`${iso(outChunks[0]!.at)} one`);
    // "par" and "tial" may arrive in one run or two: the line has the time of the chunk it starts in.
    expect(outChunks.map((c) => `${iso(c.at)} partial`)).toContain(lines[1]);
    expect(lines[2]).toBe('');
    expect(out.stderr).toBe(`${iso(chunks.find((c) => c.stream === 'stderr')!.at)} err\n`);
  });
});
