// client/cli/stdout.ts writes with write(2) until Node's stdout stream exists, then through it.
// Each case runs the module (bundled by esbuild, as the bin has it) in a real child process whose
// stdout is a real pipe: order, a full non-blocking pipe, and a reader that is gone.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'procd-stdout-test-'));
const bundled = join(dir, 'stdout.mjs');
const MODULE = pathToFileURL(bundled).href;
const children: ReturnType<typeof spawn>[] = [];

beforeAll(async () => {
  await build({ entryPoints: [resolve(import.meta.dirname, '../../../client/cli/stdout.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundled, logLevel: 'silent' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Runs `body` (ES module code with `s` = the stdout module) in a child; `viaPerl` first sets O_NONBLOCK on its stdout. */
function child(body: string, viaPerl = false, before = '') {
  const script = `${before}\nconst s = await import(${JSON.stringify(MODULE)}); s.trackStdio();\n${body}`;
  const node = [process.execPath, '--input-type=module', '-e', script];
  const argv = viaPerl ? ['perl', '-MFcntl', '-e', 'fcntl(STDOUT, F_SETFL, fcntl(STDOUT, F_GETFL, 0) | O_NONBLOCK) or die; exec @ARGV or die', ...node] : node;
  const c = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(c);
  let err = '';
  c.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  return { c, stderr: () => err };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('writeStdout', () => {
  it('writes straight to the pipe without making process.stdout', async () => {
    const { c, stderr } = child(`
      s.writeStdout('one\\n'); s.writeStdout('two\\n');
      process.stderr.write(JSON.stringify({ made: s.stdoutStreamMade(), pending: s.streamsWithPendingBytes().length, tty: s.stdoutIsTTY() }));`);
    const out = readAll(c.stdout!);
    const [code] = await once(c, 'exit');
    expect(code, stderr()).toBe(0);
    expect((await out).toString()).toBe('one\ntwo\n');
    expect(JSON.parse(stderr())).toEqual({ made: false, pending: 0, tty: false });
  });

  it('keeps order behind bytes the stream still holds, even once the pipe has room again', async () => {
    // 1 MiB through process.stdout into a pipe nobody reads yet: most of it waits in the stream.
    // The child then blocks (a synchronous read of stdin) while we read some: the pipe has room,
    // the stream still holds the rest, and a direct write now would overtake it.
    const { c, stderr } = child(`
      const { readSync } = await import('node:fs');
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 16; i++) process.stdout.write(chunk);
      process.stderr.write('held ' + s.streamsWithPendingBytes().length + '\\n');
      readSync(0, Buffer.alloc(8));
      s.writeStdout('END\\n');`);
    await waitForText(stderr, /held \d/);
    expect(stderr()).toMatch(/held 1/);
    const parts: Buffer[] = [];
    let got = 0;
    let told = false;
    c.stdout!.on('data', (d: Buffer) => {
      parts.push(d);
      got += d.length;
      if (!told && got >= 64 * 1024) {
        told = true;
        c.stdin!.write('go\n');
      }
    });
    const [code] = await once(c, 'exit');
    if (c.stdout!.readable) await once(c.stdout!, 'end');
    const out = Buffer.concat(parts).toString();
    expect(code, stderr()).toBe(0);
    expect(out.length).toBe(16 * 64 * 1024 + 4);
    expect(out.indexOf('END')).toBe(16 * 64 * 1024);
  });

  it('hands what a full non-blocking pipe refuses (EAGAIN) to the stream, losing nothing', async () => {
    const { c, stderr } = child(
      `
      const chunk = Buffer.alloc(256 * 1024, 'y').toString();
      for (let i = 0; i < 4; i++) s.writeStdout(chunk);
      s.writeStdout('END\\n');
      process.stderr.write('pending ' + s.streamsWithPendingBytes().length + '\\n');`,
      true,
    );
    await waitForText(stderr, /pending \d/);
    // The pipe holds far less than 1 MiB: the rest waited in the stream.
    expect(stderr()).toMatch(/pending 1/);
    const out = (await readAll(c.stdout!)).toString();
    const [code] = await once(c, 'exit');
    expect(code, stderr()).toBe(0);
    expect(out.length).toBe(4 * 256 * 1024 + 4);
    expect(out.endsWith('yEND\n')).toBe(true);
  });

  it('on a Node whose stdout getter cannot be wrapped, writes through the stream from the start (as before)', async () => {
    const before = `const out = process.stdout; Object.defineProperty(process, 'stdout', { value: out, configurable: false });`;
    const { c, stderr } = child(`s.writeStdout('via the stream\\n'); process.stderr.write(JSON.stringify({ made: s.stdoutStreamMade() }));`, false, before);
    const out = readAll(c.stdout!);
    const [code] = await once(c, 'exit');
    expect(code, stderr()).toBe(0);
    expect((await out).toString()).toBe('via the stream\n');
    expect(JSON.parse(stderr())).toEqual({ made: true });
  });

  it('ends with 141, as SIGPIPE would, once the reader is gone', async () => {
    const { c, stderr } = child(`
      process.stdin.once('data', () => { for (;;) s.writeStdout('z'.repeat(4096)); });`);
    c.stdout!.destroy(); // the reader goes away before the first write
    c.stdin!.write('go\n');
    const [code] = await once(c, 'exit');
    expect(code, stderr()).toBe(141);
    expect(stderr()).toBe('');
  });
});

async function waitForText(text: () => string, pattern: RegExp): Promise<void> {
  const { waitFor } = await import('../../helpers/wait-for.js');
  await waitFor(() => pattern.test(text()), { what: `stderr to match ${pattern}` });
}
