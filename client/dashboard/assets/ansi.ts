// Job output → coloured segments, safely: only SGR colour/style codes (ESC [ … m) become classes;
// every other escape (cursor moves, OSC titles and hyperlinks, DCS, …) is dropped. The result is
// plain text plus class names, which the viewer puts in the page with textContent only. Pure: no DOM.

export interface AnsiSegment {
  text: string;
  /** Class names such as `ansi-fg-1`, `ansi-bold` (empty when the text is plain). */
  classes: string[];
}

interface Style {
  fg: string | null;
  bg: string | null;
  bold: boolean;
  italic: boolean;
  underline: boolean;
}

const PLAIN: Style = { fg: null, bg: null, bold: false, italic: false, underline: false };

// One escape sequence: CSI (ESC [ params final), OSC (ESC ] … BEL or ST), DCS/SOS/PM/APC (… ST),
// a two-byte ESC x, or the 8-bit CSI (\x9b). An unterminated OSC/DCS runs to the end of the text.
const ESCAPE = /\x1b\[([0-?]*)[ -/]*([@-~])|\x9b[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][\s\S]*?(?:\x07|\x1b\\|$)|\x1b[ -/]*[0-~]?/g;
// Other control characters that mean nothing as text (keep tab and newline).
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

function classesOf(s: Style): string[] {
  const out: string[] = [];
  if (s.fg) out.push(`ansi-fg-${s.fg}`);
  if (s.bg) out.push(`ansi-bg-${s.bg}`);
  if (s.bold) out.push('ansi-bold');
  if (s.italic) out.push('ansi-italic');
  if (s.underline) out.push('ansi-underline');
  return out;
}

/** Applies one SGR parameter list (`1;31`) to a style. 256-colour and RGB codes are read and ignored. */
export function applySgr(style: Style, params: string): Style {
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  let s = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) s = { ...PLAIN };
    else if (c === 1) s.bold = true;
    else if (c === 3) s.italic = true;
    else if (c === 4) s.underline = true;
    else if (c === 22) s.bold = false;
    else if (c === 23) s.italic = false;
    else if (c === 24) s.underline = false;
    else if (c >= 30 && c <= 37) s.fg = String(c - 30);
    else if (c >= 90 && c <= 97) s.fg = String(c - 90 + 8);
    else if (c === 39) s.fg = null;
    else if (c >= 40 && c <= 47) s.bg = String(c - 40);
    else if (c >= 100 && c <= 107) s.bg = String(c - 100 + 8);
    else if (c === 49) s.bg = null;
    else if (c === 38 || c === 48) i += codes[i + 1] === 5 ? 2 : codes[i + 1] === 2 ? 4 : 1;
  }
  return s;
}

/** Splits text into styled segments; the segments' text joined is the text without any escape. */
export function parseAnsi(text: string): AnsiSegment[] {
  const out: AnsiSegment[] = [];
  let style = PLAIN;
  let last = 0;
  const push = (chunk: string) => {
    const clean = chunk.replace(CONTROL, '');
    if (clean === '') return;
    const classes = classesOf(style);
    const prev = out[out.length - 1];
    if (prev && prev.classes.join(' ') === classes.join(' ')) prev.text += clean;
    else out.push({ text: clean, classes });
  };
  for (const m of text.matchAll(ESCAPE)) {
    push(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] === 'm') style = applySgr(style, m[1] ?? '');
  }
  push(text.slice(last));
  return out;
}

/** The text without any escape or control character (for searching). */
export function stripAnsi(text: string): string {
  return text.replace(ESCAPE, '').replace(CONTROL, '');
}
