// The exact procd commands recommendations print: one place that spells them, so each names real
// options (shared/track-method.ts, shared/methods.ts). Every command is built as a list of words
// and every word goes through shellQuote: a job name, path or script may hold `$(…)`, `;` or
// quotes, and a recommended command is pasted into a shell (or run verbatim by an agent).

/** `2m`, `45s`: a duration `--expect` and `--restart-delay` accept, rounded up to what people type. */
export function durationArg(ms: number): string {
  if (ms >= 120_000) return `${Math.ceil(ms / 60_000)}m`;
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

/** `768MiB` → `768m`: a size `--max-memory` accepts. */
export function sizeArg(bytes: number): string {
  const mib = Math.ceil(bytes / 1024 ** 2);
  return mib >= 10_240 ? `${Math.ceil(mib / 1024)}g` : `${mib}m`;
}

/** One word for a POSIX shell: as is when it holds only characters no shell treats specially, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The words as one command line a POSIX shell splits back into exactly these words. */
export function commandLine(words: readonly (string | number)[]): string {
  return words.map((w) => shellQuote(String(w))).join(' ');
}

/**
 * `--name VALUE`, or `--name=VALUE` when the value starts with "-" (procd's parser reads a
 * separate `-x` as an option, client/cli/args.ts).
 */
export function option(name: string, value: string | number): string[] {
  const text = String(value);
  return text.startsWith('-') ? [`--${name}=${text}`] : [`--${name}`, text];
}

/** What `procd track` is given back: an argv (after `--`) or a shell script (--shell). */
export type TrackedCommand = { kind: 'argv'; argv: readonly string[] } | { kind: 'shell'; script: string };

/**
 * The command of a history signature (shared/history.ts commandSignature: `sh:SCRIPT@CWD` or
 * `ARGV-JSON@CWD`): the exact argv from the signature; a script from `command` (the signature's
 * copy has its whitespace collapsed). A signature that does not parse gives the display text as a
 * script: it is the argv shell-quoted (shared/job.ts commandText), so a shell splits it back.
 */
export function trackedCommand(signature: string, command: string, cwd: string): TrackedCommand {
  if (signature.startsWith('sh:')) return { kind: 'shell', script: command };
  const suffix = `@${cwd}`;
  const json = signature.endsWith(suffix) ? signature.slice(0, -suffix.length) : signature;
  try {
    const argv: unknown = JSON.parse(json);
    if (Array.isArray(argv) && argv.length > 0 && argv.every((a): a is string => typeof a === 'string')) return { kind: 'argv', argv };
  } catch {
    // not JSON: below
  }
  return { kind: 'shell', script: command };
}

/** `procd track OPTIONS --cwd DIR -- ARGV` or `… --shell SCRIPT`. */
export function trackCommand(options: readonly string[], command: TrackedCommand, cwd: string): string {
  const what = command.kind === 'shell' ? option('shell', command.script) : ['--', ...command.argv];
  return commandLine(['procd', 'track', ...options, ...option('cwd', cwd), ...what]);
}

export const killCommand = (ids: readonly number[]) => commandLine(['procd', 'kill', ...ids]);
