// Env files (`env_file:`): KEY=VALUE lines, as docker compose and systemd read them: blank lines and
// `#` comments skipped, an optional `export ` prefix, one pair of matching quotes around the value
// removed. Pure.

/** The pairs of `text`, or the first bad line's number and why. */
export function parseEnvFile(text: string): { ok: true; env: Record<string, string> } | { ok: false; line: number; problem: string } {
  const env: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const body = line.startsWith('export ') ? line.slice('export '.length).trimStart() : line;
    const eq = body.indexOf('=');
    if (eq <= 0) return { ok: false, line: i + 1, problem: `"${line}" is not KEY=VALUE` };
    const key = body.slice(0, eq).trim();
    if (!/^[^\s=\0]+$/.test(key)) return { ok: false, line: i + 1, problem: `"${key}" is not a variable name` };
    let value = body.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1);
    env[key] = value;
  }
  return { ok: true, env };
}
