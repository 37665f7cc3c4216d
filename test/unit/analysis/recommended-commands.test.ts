// Recommended commands are pasted into a shell (or run verbatim by an agent): a real POSIX shell
// must split each into exactly the words meant, whatever the job's name, command or directory
// hold. The shell only parses: `printf` prints the words, nothing of the command runs, and it runs
// in an empty directory that must stay empty (an unquoted `>` or `$(touch …)` would fill it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../../daemon/analysis/analyze.js';
import { commandLine } from '../../../daemon/analysis/commands.js';
import { commandSignature, type FoundError } from '../../../shared/history.js';
import { commandText } from '../../../shared/job.js';
import { T0 } from '../../helpers/job-factory.js';
import { failedRun, makeRun } from '../../helpers/history-runs.js';
import { analysisInput } from './input.js';

const scratch = mkdtempSync(join(tmpdir(), 'procd-quote-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The words `sh` makes of a command line, without running it. */
function shellWords(line: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { cwd: scratch, encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

/** Valid job names (shared/names.ts; no "/": a program's base name is its default name) that a shell would run or redirect if unquoted. */
const HOSTILE_NAMES = ['a$(touch${IFS}PWNED)', '<script>alert(1)<script>', "it's", 'x;touch${IFS}SEMI', '`touch${IFS}TICK`', '"q"&&touch${IFS}AMP', '-rf'];
const HOSTILE_ARGV = ['node', "x'; touch y; '", '$(touch sub)', '`touch tick`', 'two\nlines', '<in', '>out', '-rf', '', 'a b', '"dq"'];
const HOSTILE_CWD = "/tmp/we ird/$(touch cwd);'q'\n`x`/-d";
const HOSTILE_SCRIPT = `echo "a  b" 'c' $(date) >/dev/null; touch \`echo t\`\nls <x | cat`;

const oom: FoundError = { signature: 'oom', detail: 'node heap', line: 'JavaScript heap out of memory' };

function argvRun(argv: string[], over: Parameters<typeof makeRun>[0]) {
  return { signature: commandSignature({ kind: 'argv', argv }, HOSTILE_CWD), command: commandText({ kind: 'argv', argv }), cwd: HOSTILE_CWD, ...over };
}

describe('every recommended command splits into exactly the intended words in a POSIX shell', () => {
  it.each(HOSTILE_NAMES)('a program %s started twice at once: the `--name` it suggests (its default name), the cwd and the argv are each one word', (program) => {
    // Two unnamed jobs (procd named them after the program) at once.
    const argv = [program, ...HOSTILE_ARGV];
    const runs = [
      makeRun(argvRun(argv, { jobId: 1, name: program, startedAt: T0, durationMs: 60_000 })),
      makeRun(argvRun(argv, { jobId: 2, name: `${program}-2`, startedAt: T0 + 1000, durationMs: 1000 })),
    ];
    const [rec] = analyze(analysisInput({ runs })).recommendations;
    const nameWords = program.startsWith('-') ? [`--name=${program}`] : ['--name', program];
    expect(shellWords(rec!.command)).toEqual(['procd', 'track', ...nameWords, '--cwd', HOSTILE_CWD, '--', ...argv]);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('crash loops, memory caps and slowing shell scripts: options, cwd, argv and script each one word', () => {
    const loop = [1, 2, 3, 4].map((run) => failedRun(argvRun(['srv', '$(touch loop)'], { jobId: 5, run, restarts: run - 1 })));
    const heavy = [1, 2].map((i) => failedRun(argvRun(['node', '`touch heavy`;'], { jobId: 10 + i, rssPeak: 1024 ** 3, errors: [oom] })));
    const shell = { kind: 'shell' as const, script: HOSTILE_SCRIPT, shell: '/bin/sh' };
    const slowing = Array.from({ length: 10 }, (_, i) => makeRun({ signature: commandSignature(shell, HOSTILE_CWD), command: HOSTILE_SCRIPT, cwd: HOSTILE_CWD, jobId: 20 + i, startedAt: T0 + i * 30_000, durationMs: 10_000 * (1 + 0.2 * i) }));
    const recs = analyze(analysisInput({ runs: [...loop, ...heavy, ...slowing] })).recommendations;
    const words = recs.map((r) => shellWords(r.command));
    expect(words).toEqual([
      ['procd', 'track', '--restart', 'on-failure', '--restart-delay', '10s', '--cwd', HOSTILE_CWD, '--', 'srv', '$(touch loop)'],
      ['procd', 'track', '--max-memory', '1536m', '--cwd', HOSTILE_CWD, '--', 'node', '`touch heavy`;'],
      ['procd', 'track', '--expect', '28s', '--cwd', HOSTILE_CWD, '--shell', HOSTILE_SCRIPT],
    ]);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('commandLine quotes every word it is given, numbers too', () => {
    const words = ['procd', 'logs', 12, '--run', 3, ...HOSTILE_NAMES, ...HOSTILE_ARGV];
    expect(shellWords(commandLine(words))).toEqual(words.map(String));
    expect(readdirSync(scratch)).toEqual([]);
  });
});
