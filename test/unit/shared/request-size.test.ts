import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../../../shared/framing.js';
import { displayCommand, summarize } from '../../../shared/job.js';
import { tooLarge } from '../../../shared/request-size.js';
import { makeJob } from '../../helpers/job-factory.js';

describe('MAX_FRAME_BYTES', () => {
  it('holds the largest command Linux runs (ARG_MAX 2 MiB) with room for JSON escaping', () => {
    expect(MAX_FRAME_BYTES).toBeGreaterThanOrEqual(4 << 20);
  });
});

describe('tooLarge', () => {
  it('names the largest part of a track request first, with its size and the fix for it', () => {
    const env = { A: 'x'.repeat(3 << 20), B: 'y' };
    const r = tooLarge('track', { argv: ['ls', '-l'], cwd: '/', env }, 5 << 20);
    expect(r.message).toBe(
      'the track request is 5.0MiB, over the 4.0MiB a message may have: the environment 3.0MiB (2 variables), the arguments 11B (2 items); ' +
        'start the job from a clean environment with --clean-env and pass what it needs with --env K=V (library: send a smaller `env`)',
    );
    expect(r.data).toMatchObject({ limit: MAX_FRAME_BYTES, bytes: 5 << 20, parts: { env: expect.any(Number), argv: 11 } });
  });

  it('points long argument lists to a file, and says only the size for other methods', () => {
    const argv = Array.from({ length: 300_000 }, (_, i) => `file-${i}.ts`);
    expect(tooLarge('track', { argv, cwd: '/', env: {} }, 5 << 20).message).toMatch(/the arguments [\d.]+MiB \(300000 items\).*; pass long argument lists through a file/);
    expect(tooLarge('hello', { client: 'x' }, 5 << 20)).toEqual({ message: 'the hello request is 5.0MiB, over the 4.0MiB a message may have', data: { limit: MAX_FRAME_BYTES, bytes: 5 << 20, parts: {} } });
  });
});

describe('displayCommand / summarize', () => {
  it('leaves an ordinary command alone', () => {
    const command = { kind: 'argv' as const, argv: ['npm', 'run', 'dev'] };
    expect(displayCommand(command)).toEqual({ command, shortened: null });
    expect(summarize(makeJob({ spec: { ...makeJob().spec, command } })).spec).not.toHaveProperty('commandShortened');
  });

  it('cuts a huge argv to whole leading arguments within the budget, the last one marked, and says the full size', () => {
    const argv = ['eslint', ...Array.from({ length: 10_000 }, (_, i) => `src/file-${i}.ts`)];
    const chars = argv.reduce((n, a) => n + a.length, 0);
    const { command, shortened } = displayCommand({ kind: 'argv', argv }, 100);
    expect(shortened).toEqual({ items: argv.length, chars });
    if (command.kind !== 'argv') throw new Error('kind changed');
    expect(command.argv.slice(0, -1)).toEqual(argv.slice(0, command.argv.length - 1));
    expect(command.argv.join('').length).toBeLessThanOrEqual(101);
    expect(command.argv.at(-1)).toMatch(/…$/);
    const summary = summarize(makeJob({ spec: { ...makeJob().spec, command: { kind: 'argv', argv } } }));
    expect(summary.spec.commandShortened).toEqual({ items: argv.length, chars });
  });

  it('cuts a long shell script the same way', () => {
    const { command, shortened } = displayCommand({ kind: 'shell', script: 'x'.repeat(50), shell: '/bin/sh' }, 10);
    expect(command).toEqual({ kind: 'shell', script: `${'x'.repeat(10)}…`, shell: '/bin/sh' });
    expect(shortened).toEqual({ items: 1, chars: 50 });
  });
});
