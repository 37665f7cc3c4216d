// The exact procd commands recommendations print: one place that spells them, so each names real
// options (shared/track-method.ts, shared/methods.ts).

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

/** Quoted for a POSIX shell when needed. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * `procd track OPTIONS --cwd DIR -- CMD` for the command of a history signature: a shell script
 * (signature `sh:…`) is given with --shell, an argv after `--` (its display form is already quoted).
 */
export function trackCommand(options: string, signature: string, command: string, cwd: string): string {
  const where = `--cwd ${shellQuote(cwd)}`;
  if (signature.startsWith('sh:')) return `procd track ${options} ${where} --shell ${shellQuote(command)}`;
  return `procd track ${options} ${where} -- ${command}`;
}

export const killCommand = (ids: readonly number[]) => `procd kill ${ids.join(' ')}`;
