// The errors procd recognises in a finished run: a table of named patterns over the last lines of
// its stderr, plus a few read from how it ended (exit 127, 137, 139, a limit). The history store
// calls findErrors once per run; `procd analyze` counts what it found. To recognise a new error,
// add one entry to LINE_PATTERNS (or STATUS_PATTERNS) and a sample to its unit test.
//
// These run on the daemon's event loop: every regular expression is linear (no nested
// quantifiers, bounded repeats) and lines are cut to MAX_SCANNED_CHARS before they are read.

import { ERROR_LINE_CHARS, type FoundError } from '../../shared/history.js';
import type { OutcomeKind } from '../../shared/outcomes.js';

export interface ErrorInput {
  stderrTail: string[];
  exitCode: number | null;
  signal: string | null;
  outcome: OutcomeKind;
  outcomeDetail: string | null;
}

/** A pattern over one stderr line; `context` sees every line (a Python traceback's markers, a stack below). */
interface LinePattern {
  name: string;
  test: RegExp;
  /** What varies within the signature (a port, a class); null when nothing matters. `whole`: every line, joined. */
  detail?: (line: string, match: RegExpExecArray, whole: string) => string | null;
  /** Which of the matching lines is kept: the first (default) or the last (a traceback's final line). */
  pick?: 'first' | 'last';
  /** Only when the whole tail also shows this (a stack frame, a traceback header). */
  context?: RegExp;
  /** False: a line that is no error by itself, only a sign in a tail (`logs --errors` skips it). */
  alone?: false;
}

/** A pattern over how the run ended: the line describing it, or null when it does not apply. */
interface StatusPattern {
  name: string;
  test: (input: ErrorInput) => { detail: string | null; line: string } | null;
}

/** Longer lines are read only this far (a minified bundle on one line cannot stall the daemon). */
const MAX_SCANNED_CHARS = 4096;
/** A detail is a key runs are grouped by: a port, a class, a path. */
const MAX_DETAIL_CHARS = 200;

/** An errno name as programs print it: not inside a URL or a longer word (`/docs/ENOENT`, `ENOENTS`). */
function errno(code: string, prose: string): RegExp {
  return new RegExp(`(?:^|[\\s:\\[('",])${code}\\b(?![/\\w-]|\\.\\w)|${prose}`, 'i');
}

/** The first `'quoted'` or `"quoted"` text: the path in `open '/etc/app.conf'`. */
function quoted(text: string): string | null {
  const m = /'([^'\n]{1,300})'|"([^"\n]{1,300})"/.exec(text);
  return m ? (m[1] ?? m[2] ?? null) : null;
}

/** The word of `bash: foo: command not found`: the last `x: ` part before the match (not the shell's own name). */
function partBefore(line: string, index: number): string | null {
  const parts = line.slice(0, index).split(': ').map((p) => p.trim()).filter(Boolean);
  const last = parts.at(-1) ?? null;
  return last && !/\s/.test(last) && !/^(?:\/bin\/)?(?:bash|sh|zsh|dash)$/.test(last) ? last : null;
}

/** The path of `bash: ./deploy.sh: No such file or directory`: the part before, when it looks like a path. */
function pathBefore(line: string, index: number): string | null {
  const part = partBefore(line, index);
  return part && /[/.~]/.test(part) ? part : null;
}

/** The port of `:::3000`, `127.0.0.1:8080`, `port 5000`: after the match first, else the last one before it (`tcp :8080: bind: ...`). */
function portIn(line: string, from: number): string | null {
  const after = /(?:port\s+|:)(\d{1,5})\b/i.exec(line.slice(from));
  if (after) return after[1] ?? null;
  let last: string | null = null;
  for (const m of line.slice(0, from).matchAll(/(?:port\s+|:)(\d{1,5})\b/gi)) last = m[1] ?? null;
  return last;
}

/** `127.0.0.1:5432`, `localhost:6379`, `[::1]:80`. */
function endpointIn(line: string): string | null {
  const m = /(\d{1,3}(?:\.\d{1,3}){3}|localhost|\[[0-9a-fA-F:]{2,39}\]|::1):(\d{1,5})\b/.exec(line);
  return m ? `${m[1]}:${m[2]}` : null;
}

const pathDetail = (line: string, m: RegExpExecArray) => quoted(line.slice(m.index)) ?? pathBefore(line, m.index);

/** Checked in this order; each signature is reported once per run (its first matching line). */
const LINE_PATTERNS: readonly LinePattern[] = [
  // The port from the line, else from Node's dump of the error object (`  port: 3000`) below it.
  { name: 'EADDRINUSE', test: errno('EADDRINUSE', 'address already in use'), detail: (line, m, whole) => portIn(line, m.index) ?? /^ {2}port: (\d{1,5}),?$/m.exec(whole)?.[1] ?? null },
  { name: 'ENOENT', test: errno('ENOENT', 'no such file or directory'), detail: pathDetail },
  { name: 'EACCES', test: errno('EACCES', 'permission denied'), detail: pathDetail },
  { name: 'ECONNREFUSED', test: errno('ECONNREFUSED', 'connection refused'), detail: (line) => endpointIn(line) },
  { name: 'ETIMEDOUT', test: errno('ETIMEDOUT', 'connection timed out|i/o timeout'), detail: (line) => endpointIn(line) },
  {
    name: 'oom',
    test: /JavaScript heap out of memory|\bout of memory\b|Cannot allocate memory|(?:^|[\s:[('",])ENOMEM\b|^MemoryError\b|java\.lang\.OutOfMemoryError|memory allocation of \d+ bytes failed/i,
    detail: (line) => (/JavaScript heap/i.test(line) ? 'node heap' : /OutOfMemoryError/.test(line) ? 'java heap' : null),
  },
  { name: 'segfault', test: /Segmentation fault|\bSIGSEGV\b/, detail: () => 'SIGSEGV' },
  {
    name: 'command_not_found',
    // bash/zsh: `foo: command not found`; dash: `sh: 1: foo: not found`.
    test: /: command not found\b|^(?:\/bin\/)?sh: \d+: [^\s:]{1,200}: not found$/,
    detail: (line, m) => partBefore(line, m.index) ?? /: ([^\s:]{1,200}): not found$|command not found: (\S{1,200})$/.exec(line)?.slice(1).find(Boolean) ?? null,
  },
  {
    name: 'npm_error',
    // npm ≤ 9 prints `npm ERR!`, npm 10+ `npm error`; only at the start of a line (not "npm errored" in prose).
    test: /^npm (?:ERR!|error)(?: |$)/,
    detail: (line) => /^npm (?:ERR!|error) code (\w{1,40})/.exec(line)?.[1] ?? /^npm (?:ERR!|error) (Missing script: .{1,100})$/.exec(line)?.[1] ?? null,
  },
  {
    name: 'python_exception',
    // The traceback's last line names the exception; the tail must also show a traceback frame.
    test: /^((?=[A-Za-z_])[\w.]{0,150}(?:Error|Exception|Interrupt|Exit|Warning))(?::|$)/,
    context: /^Traceback \(most recent call last\):|^ {2}File "[^"\n]{1,500}", line \d+/m,
    detail: (_line, m) => m[1] ?? null,
    pick: 'last',
  },
  { name: 'rust_panic', test: /^thread '[^'\n]{0,200}' panicked at /, detail: (line) => /panicked at (?:'[^'\n]{0,500}', )?([^\s:']{1,300}:\d+:\d+)/.exec(line)?.[1] ?? null },
  {
    name: 'go_panic',
    test: /^panic: |^fatal error: (?:all goroutines are asleep|runtime: |concurrent map)/,
    // The kind of panic, without the figures that change from run to run (`index out of range [5] with length 3`).
    detail: (line) => line.replace(/^(?:panic|fatal error): /, '').replace(/\s*\[.*$/, '').replace(/\d+/g, 'N').slice(0, 80),
  },
  {
    name: 'java_exception',
    test: /^(?:Exception in thread "[^"\n]{0,200}" |Caused by: )?([a-z][\w$]{0,60}\.[\w$.]{0,200}[A-Z][\w$]{0,100}(?:Exception|Error))(?::|$| )/,
    context: /^\tat [\w$.<>]{1,300}\(|^Exception in thread /m,
    detail: (_line, m) => m[1] ?? null,
  },
  {
    name: 'node_exception',
    // `TypeError: x is not a function` above `    at ...` frames; `[UnhandledPromiseRejection: ...]`.
    test: /^(?:Uncaught )?((?=[A-Z])[A-Za-z0-9_$]{0,80}(?:Error|Exception))( \[[A-Z_0-9]{1,60}\])?: |^\[?(UnhandledPromiseRejection)\b/,
    context: /^ {4}at |^Node\.js v\d+/m,
    // The class, with Node's error code when it has one: `Error [ERR_MODULE_NOT_FOUND]`.
    detail: (_line, m) => (m[1] ? `${m[1]}${m[2] ?? ''}` : (m[3] ?? null)),
  },
  // Node prints `Node.js v20.x` last after an uncaught error: alone in a short tail, the class line was cut off.
  { name: 'node_exception', test: /^Node\.js v\d+\.\d+\.\d+$/, context: /^ {4}at /m, detail: () => null, alone: false },
];

const STATUS_PATTERNS: readonly StatusPattern[] = [
  {
    name: 'limit_kill',
    test: (i) => (i.outcome === 'limit' ? { detail: i.outcomeDetail, line: `Killed: stopped by procd for going over its ${i.outcomeDetail ?? ''} limit`.replace('  ', ' ') } : null),
  },
  {
    name: 'oom',
    // 137 is 128 + SIGKILL: what a shell reports when the kernel's OOM killer ended its child. Not when
    // procd stopped it (outcome signal/timeout/limit): that SIGKILL is procd's own escalation.
    // Outcome oom: the job's cgroup says the OOM killer struck (daemon/cgroup/limits.ts oomKilledIn).
    test: (i) =>
      i.outcome === 'oom'
        ? { detail: 'kernel', line: "Killed: the kernel's OOM killer (out of memory)" }
        : i.outcome === 'exit' && i.exitCode === 137
          ? { detail: null, line: 'exit 137 (SIGKILL: most often the out-of-memory killer)' }
          : null,
  },
  { name: 'segfault', test: (i) => (i.signal === 'SIGSEGV' || (i.outcome === 'exit' && i.exitCode === 139) ? { detail: 'SIGSEGV', line: `ended by SIGSEGV (exit ${i.exitCode ?? 139}): segmentation fault` } : null) },
  { name: 'command_not_found', test: (i) => (i.outcome === 'exit' && i.exitCode === 127 ? { detail: null, line: 'exit 127: command not found' } : null) },
];

/** The errors found in a run's stderr tail and in how it ended; each signature once, lines first. */
export function findErrors(input: ErrorInput): FoundError[] {
  const lines = input.stderrTail.map((l) => (l.length > MAX_SCANNED_CHARS ? l.slice(0, MAX_SCANNED_CHARS) : l).replace(/\r$/, ''));
  const whole = lines.join('\n');
  const found: FoundError[] = [];
  const seen = new Set<string>();
  for (const p of LINE_PATTERNS) {
    if (seen.has(p.name) || (p.context && !p.context.test(whole))) continue;
    const hit = firstMatch(lines, p);
    if (!hit) continue;
    seen.add(p.name);
    const detail = p.detail?.(hit.line, hit.match, whole) ?? null;
    found.push({ signature: p.name, detail: detail === null ? null : cut(detail, MAX_DETAIL_CHARS), line: cut(hit.line.trim()) });
  }
  for (const p of STATUS_PATTERNS) {
    if (seen.has(p.name)) continue;
    const hit = p.test(input);
    if (!hit) continue;
    seen.add(p.name);
    found.push({ signature: p.name, detail: hit.detail, line: cut(hit.line) });
  }
  return found;
}

function firstMatch(lines: readonly string[], p: LinePattern): { line: string; match: RegExpExecArray } | null {
  const order = p.pick === 'last' ? [...lines].reverse() : lines;
  for (const line of order) {
    const match = p.test.exec(line);
    if (match) return { line, match };
  }
  return null;
}

function cut(text: string, max = ERROR_LINE_CHARS): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The signature one line shows by itself, or null (`procd logs --errors`): the line patterns'
 * tests without the context they need in a tail, so a `ValueError: x` line counts without its traceback.
 */
export function errorSignatureOfLine(text: string): string | null {
  const line = (text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS) : text).replace(/\r$/, '');
  for (const p of LINE_PATTERNS) if (p.alone !== false && p.test.test(line)) return p.name;
  return null;
}

/** Every regular expression the line patterns use (a test checks each against shared/regex-hazard.ts). */
export const LINE_REGEXES: readonly RegExp[] = LINE_PATTERNS.flatMap((p) => (p.context ? [p.test, p.context] : [p.test]));

/** Every signature name findErrors can report (for docs and tests). */
export const ERROR_SIGNATURES: readonly string[] = [...new Set([...LINE_PATTERNS, ...STATUS_PATTERNS].map((p) => p.name))];
