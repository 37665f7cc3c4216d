// The commands `procd analyze` recommends, against a real daemon, with a directory and arguments a
// shell would run if unquoted: sh splits each into exactly the intended words without running any
// of it, and procd, given those words, starts the same command in the same directory. Jobs the
// user gave different (hostile) names are not told to "start it under a name" at all.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AnalyzeReport } from '../../shared/analyze.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { expectExit, jobStatus, parseJson, trackJob, waitForEnd } from './helpers/jobs.js';

let d: TestDaemon | undefined;
let scratch: string | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

async function report(): Promise<AnalyzeReport> {
  const r = await d!.cli(['analyze', '--json']);
  expectExit(r, 0, 'analyze --json');
  return parseJson<AnalyzeReport>(r, 'analyze --json');
}

/** The words `sh` makes of a command line: only printed, in an empty directory. */
function shellWords(line: string, cwd: string): string[] {
  return execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { cwd, encoding: 'utf8' }).split('\0').slice(0, -1);
}

describe('procd analyze: recommended commands are safe to paste', () => {
  it('a program `x$(touch${IFS}PWNED)` started twice at once in a directory named `$(touch PWNED);…`: the recommendation (name, cwd, argv) splits into the intended words and procd runs it as it was', async () => {
    d = await startTestDaemon();
    scratch = mkdtempSync(join(tmpdir(), 'procd-e2e-quote-'));
    const dir = join(d.home, "w $(touch PWNED);'q'`touch TICK`");
    mkdirSync(dir);
    // Its default job name is its base name: `x$(touch${IFS}PWNED)` (a valid name: no spaces).
    const program = 'x$(touch${IFS}PWNED)';
    writeFileSync(join(dir, program), '#!/bin/sh\nsleep "$1"\n', { mode: 0o755 });
    const argv = [`./${program}`, '4', '$(touch ARGV)', '`touch TICK`; >out'];
    // Unnamed, the second while the first runs: an overlap once both ended.
    const a = await trackJob(d, ['--cwd', dir, '--', ...argv]);
    const b = await trackJob(d, ['--cwd', dir, '--', ...argv]);
    await waitForEnd(d, a.id, { timeoutMs: 60_000 });
    await waitForEnd(d, b.id, { timeoutMs: 60_000 });

    const rec = (await report()).recommendations.find((r) => r.evidence.jobIds.includes(a.id) && r.evidence.jobIds.includes(b.id));
    expect(rec?.command, 'an overlap recommendation for both jobs').toBeDefined();
    const words = shellWords(rec!.command, scratch);
    expect(words).toEqual(['procd', 'track', '--name', program, '--cwd', dir, '--', ...argv]);
    expect(readdirSync(scratch)).toEqual([]);
    // The human report prints the same command.
    const human = await d.cli(['analyze']);
    expectExit(human, 0, 'analyze');
    expect(human.stdout).toContain(`→ ${rec!.command}`);

    // procd reads those words back as the same job: its name, directory and argv.
    const started = await trackJob(d, words.slice(2));
    const status = await jobStatus(d, started.id);
    expect(status).toMatchObject({ name: program, spec: { cwd: dir, command: { kind: 'argv', argv } } });
    expect((await waitForEnd(d, started.id, { timeoutMs: 60_000 })).state.kind).toBe('completed');
    expect(readdirSync(dir)).toEqual([program]);
    expect(existsSync(join(d.home, 'PWNED'))).toBe(false);
  });

  it('two jobs named `a$(touch${IFS}PWNED)` and `b$(touch${IFS}PWNED)` at once: named on purpose, nothing recommended about them', async () => {
    d = await startTestDaemon();
    const a = await trackJob(d, ['--name', 'a$(touch${IFS}PWNED)', '--', 'sleep', '3']);
    const b = await trackJob(d, ['--name', 'b$(touch${IFS}PWNED)', '--', 'sleep', '3']);
    await waitForEnd(d, a.id, { timeoutMs: 60_000 });
    await waitForEnd(d, b.id, { timeoutMs: 60_000 });
    const r = await report();
    expect(r.headline.runs).toBe(2);
    expect(r.overlaps).toEqual([]);
    expect(r.recommendations).toEqual([]);
  });
});
