// Times and counts as a person reads them: local wall-clock time with its age ("3m ago"), and
// "1 thread" / "2 threads". ISO times stay in --json; these are for human output only.

/** `3s`, `3m`, `2h`, `4d`: the largest whole unit, for an age or a wait. */
export function roughDuration(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** `3m ago`, `just now`, or `in 5m` for a time still ahead (a queued job's start). */
export function ago(ms: number, now: number): string {
  const d = now - ms;
  if (Math.abs(d) < 1000) return 'just now';
  return d > 0 ? `${roughDuration(d)} ago` : `in ${roughDuration(-d)}`;
}

/** `2026-12-03 11:33:15` in the machine's time zone. */
export function localTime(ms: number): string {
  const t = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
}

/** `2026-12-03 11:33:15 (3m ago)`. */
export function when(ms: number, now: number): string {
  return `${localTime(ms)} (${ago(ms, now)})`;
}

/** `1 thread`, `2 threads`; `1 process`, `2 processes` with the plural given. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
