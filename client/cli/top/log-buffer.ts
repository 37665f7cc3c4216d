// The log pane's lines: output appended as it arrives, split into lines, made safe to show
// (control characters and escape sequences escaped, never sent to the terminal; a carriage
// return keeps what follows it, as a terminal would show a progress line), at most `cap` kept.

import { escapeControls } from '../format-job.js';

export interface LogBuffer {
  lines: string[];
  /** The last line while it has no newline yet. */
  partial: string;
}

export const LOG_LINES_KEPT = 5000;

export function emptyLog(): LogBuffer {
  return { lines: [], partial: '' };
}

/** Adds output text; returns how many complete lines it added. */
export function appendLog(buf: LogBuffer, text: string, cap = LOG_LINES_KEPT): number {
  const parts = (buf.partial + text).split('\n');
  buf.partial = parts.pop() ?? '';
  for (const line of parts) buf.lines.push(displayLine(line));
  if (buf.lines.length > cap) buf.lines.splice(0, buf.lines.length - cap);
  return parts.length;
}

/** The lines to show: the complete ones and the one still being written. */
export function logLines(buf: LogBuffer): string[] {
  return buf.partial ? [...buf.lines, displayLine(buf.partial)] : buf.lines;
}

function displayLine(raw: string): string {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const afterReturn = line.slice(line.lastIndexOf('\r') + 1);
  // Colour codes are dropped (the pane is plain text); every other control is shown escaped.
  return escapeControls(afterReturn.replace(/\t/g, '    ').replace(/\x1b\[[0-9;]*m/g, ''));
}
