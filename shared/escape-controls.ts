// Control characters shown escaped (`\n`, `\t`, `\x1b` …): text from jobs (commands, names, output
// lines) printed on one line without running an escape sequence. The CLI's tables and the MCP
// server's text answers both use it.

// Made once (a literal makes a new object each time it runs); replace() starts a global one at 0.
// The ranges are exactly \p{Cc} (C0, DEL, C1; test/unit/escape-controls.test.ts checks every code
// point), spelled out because a \p{…} class makes V8 load ICU's property tables at start-up.
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;

/** `\n`, `\t`, `\x1b` … instead of the raw characters, so a table row stays one row and no escape sequence runs. */
export function escapeControls(text: string): string {
  // Most text has none: no replace (and no new regular expression objects) for it.
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROLS, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
