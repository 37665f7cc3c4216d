// Control characters shown escaped (`\n`, `\t`, `\x1b` …): text from jobs (commands, names, output
// lines) printed on one line without running an escape sequence. The CLI's tables and the MCP
// server's text answers both use it.

/** `\n`, `\t`, `\x1b` … instead of the raw characters, so a table row stays one row and no escape sequence runs. */
export function escapeControls(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\r' ? '\\r' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
