// How many terminal columns text takes: wide East Asian characters and emoji take two, combining
// marks none. A line that counted them as one would wrap and scroll the whole screen.

const WIDE = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1F64F}\u{1F900}-\u{1F9FF}\u{1FA70}-\u{1FAFF}\u{20000}-\u{3FFFD}]/u;
const ZERO = /[\p{Mn}\p{Me}\u200B-\u200F\uFE00-\uFE0F]/u;
const SIMPLE = /^[\x20-\x7e]*$/;

/** Columns of one character (code point). */
export function charColumns(ch: string): number {
  if (ZERO.test(ch)) return 0;
  return WIDE.test(ch) ? 2 : 1;
}

/** Columns of a text (without escape sequences). */
export function columns(text: string): number {
  if (SIMPLE.test(text)) return text.length;
  let n = 0;
  for (const ch of text) n += charColumns(ch);
  return n;
}

/** At most `w` columns, `…` where it was cut. */
export function truncateColumns(text: string, w: number): string {
  if (columns(text) <= w) return text;
  if (w <= 0) return '';
  let out = '';
  let used = 0;
  for (const ch of text) {
    const c = charColumns(ch);
    if (used + c > w - 1) break;
    out += ch;
    used += c;
  }
  return `${out}…`;
}
