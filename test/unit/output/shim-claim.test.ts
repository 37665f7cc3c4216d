// One shim per job directory (the "Claim" part of the file contract in procd-shim.pl): two shims
// started on one directory — native, Perl, or one of each — run the job once; the second ends
// with status 75 and writes nothing. The native cases are skipped, with the reason, only when the
// build had no C compiler.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SHIM_CLAIMED_STATUS } from '../../../daemon/jobs/shim-claim.js';
import { readExitFile, readStartedFile } from '../../../daemon/output/spawn-spec.js';
import { waitFor } from '../../helpers/wait-for.js';
import { Harness, NATIVE_SHIM, nativeShimSkipReason, SHIM, SHIM_PERL, waitClosed } from './shim-harness.js';

const skip = nativeShimSkipReason();
const h = new Harness();
/** Each test's `ran` file (its job processes' pids): they are killed in cleanup, also after a failure. */
const ranFiles: string[] = [];
afterEach(async () => {
  for (const ran of ranFiles.splice(0)) {
    for (const pid of readFileSync(ran, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean)) h.track(Number(pid));
  }
  await h.cleanup();
});

const COMMANDS = { native: [NATIVE_SHIM], perl: [SHIM_PERL, SHIM] };
type Kind = keyof typeof COMMANDS;

interface Ran {
  pid: number;
  lines: string[];
  /** The exit status once the shim ended, else undefined. */
  status: number | null | undefined;
}

/** Starts a shim of `kind` on `dir` as the daemon does (detached, stdout the channel, stderr shim.log). */
function startShim(kind: Kind, dir: string): Ran {
  const [file, ...args] = COMMANDS[kind];
  const log = join(dir, 'shim.log');
  writeFileSync(log, '', { flag: 'a' });
  const child = spawn(file!, [...args, dir], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  h.track(child.pid);
  const ran: Ran = { pid: child.pid!, lines: [], status: undefined };
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => ran.lines.push(...text.split('\n').filter(Boolean)));
  child.on('close', (code) => (ran.status = code));
  return ran;
}

/** Every file of a job directory with its content and mtime. */
function snapshot(dir: string): Array<[string, string, number]> {
  return (readdirSync(dir, { recursive: true }) as string[])
    .sort()
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => [f, readFileSync(join(dir, f), 'latin1'), statSync(join(dir, f)).mtimeMs]);
}

const PAIRS: Array<[Kind, Kind]> = [
  ['native', 'native'],
  ['perl', 'perl'],
  ['native', 'perl'],
  ['perl', 'native'],
];

describe.each(PAIRS)('two shims on one job directory: %s then %s', (first, second) => {
  const needsNative = first === 'native' || second === 'native';
  it.skipIf(needsNative && skip !== null)(`run the job once; the second ends with status ${SHIM_CLAIMED_STATUS} and writes nothing${needsNative && skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const work = h.tempDir();
    const ranFile = join(work, 'ran');
    const stop = join(work, 'stop');
    ranFiles.push(ranFile);
    // Each job process appends its pid, then runs until the test says stop.
    const dir = await h.jobDir(h.defaults(['sh', '-c', 'echo $$ >> "$1"; while [ ! -e "$2" ]; do sleep 0.02; done; exit 4', 'sh', ranFile, stop]));
    const a = startShim(first, dir);
    const b = startShim(second, dir);
    const loser = await waitFor(() => [a, b].find((r) => r.status === SHIM_CLAIMED_STATUS), { what: `one shim to end with status ${SHIM_CLAIMED_STATUS}`, timeoutMs: 15_000 });
    const winner = loser === a ? b : a;
    await waitFor(() => winner.lines.some((l) => l.startsWith('started ')), { what: 'the winner to start the job', timeoutMs: 15_000 });
    expect((await readStartedFile(dir))?.shimPid).toBe(winner.pid);
    writeFileSync(stop, '');
    await waitClosed(dir, 15_000);
    await waitFor(() => winner.status !== undefined, { what: 'the winner to end', timeoutMs: 15_000 });
    expect(winner.status).toBe(0);
    expect(readFileSync(ranFile, 'utf8').trim().split('\n')).toHaveLength(1);
    expect(await readExitFile(dir)).toMatchObject({ shimPid: winner.pid, exitCode: 4 });
    expect(winner.lines.map((l) => l.split(' ')[0])).toEqual(['started', 'exited', 'closed']);
    expect(loser.lines).toEqual([]);
    expect(readFileSync(join(dir, 'shim.log'), 'utf8')).toBe('');
  });
});

describe.each(['native', 'perl'] as const)('a %s shim on a directory whose job already ran', (kind) => {
  it.skipIf(kind === 'native' && skip !== null)(`ends with status ${SHIM_CLAIMED_STATUS}, leaving every file as it was${kind === 'native' && skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const dir = await h.jobDir(h.defaults(['sh', '-c', 'echo once; exit 2']));
    const first = startShim(kind, dir);
    await waitClosed(dir, 15_000);
    await waitFor(() => first.status !== undefined, { what: 'the first shim to end', timeoutMs: 15_000 });
    const before = snapshot(dir);
    const again = startShim(kind, dir);
    await waitFor(() => again.status !== undefined, { what: 'the second shim to end', timeoutMs: 15_000 });
    expect(again.status).toBe(SHIM_CLAIMED_STATUS);
    expect(again.lines).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe.each(['native', 'perl'] as const)('a %s shim on a directory whose spawn.spec another process holds locked', (kind) => {
  it.skipIf(kind === 'native' && skip !== null)(`ends with status ${SHIM_CLAIMED_STATUS} and writes nothing${kind === 'native' && skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const dir = await h.jobDir(h.defaults(['sh', '-c', 'echo ran > "$1"', 'sh', join(h.tempDir(), 'ran')]));
    // Stands in for a claimant that has not written its started file yet: it holds the lock.
    const holder = spawn(SHIM_PERL, ['-e', 'use Fcntl ":flock"; open(F, "<", $ARGV[0]) or die; flock(F, LOCK_EX) or die; $| = 1; print "locked\\n"; <STDIN>', join(dir, 'spawn.spec')], { stdio: ['pipe', 'pipe', 'inherit'] });
    h.track(holder.pid);
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    writeFileSync(join(dir, 'shim.log'), ''); // as the daemon opens it for the shim
    const before = snapshot(dir);
    const shim = startShim(kind, dir);
    await waitFor(() => shim.status !== undefined, { what: 'the shim to end', timeoutMs: 15_000 });
    expect(shim.status).toBe(SHIM_CLAIMED_STATUS);
    expect(shim.lines).toEqual([]);
    expect(snapshot(dir)).toEqual(before);
    holder.stdin!.end();
  });
});
