// How the CLI writes: JSON when asked, human text otherwise; colour only on a terminal and
// never with NO_COLOR. Widths come from the terminal so long commands are cut, not wrapped.

import { stdoutColumns, stdoutIsTTY, writeStdout } from './stdout.js';

export interface Output {
  json: boolean;
  color: boolean;
  width: number;
  /** A person is watching: stdout and stderr are terminals and no --json (for notes a script must never see; absent: no). */
  interactive?: boolean;
  out(text: string): void;
  err(text: string): void;
  printJson(value: unknown): void;
}

export function createOutput(json: boolean): Output {
  const tty = stdoutIsTTY();
  const color = tty && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  return {
    json,
    color,
    width: terminalWidth(tty, stdoutColumns(), process.env.COLUMNS),
    interactive: !json && tty && process.stderr.isTTY === true,
    out: (text) => writeStdout(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
    printJson: (value) => writeStdout(`${JSON.stringify(value, null, 2)}\n`),
  };
}

/**
 * The width lines must fit: the terminal's columns (80 when it does not say), else COLUMNS as
 * ls(1) and ps(1) honour it; into a pipe without COLUMNS, 160 so a grep still sees most of a command.
 */
export function terminalWidth(tty: boolean, columns: number | undefined, env: string | undefined): number {
  const fromEnv = env && /^\d+$/.test(env) && Number(env) > 0 ? Number(env) : undefined;
  if (tty) return columns || fromEnv || 80;
  return fromEnv ?? 160;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Color = keyof typeof CODES;

export function paint(o: Output, color: Color, text: string): string {
  return o.color ? `\x1b[${CODES[color]}m${text}\x1b[0m` : text;
}

/** Lays rows out in columns; the last column is cut to fit the width. */
export function table(headers: string[], rows: string[][], width: number, paintCell?: (row: number, col: number, text: string) => string): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const last = headers.length - 1;
  const used = widths.slice(0, last).reduce((a, b) => a + b + 2, 0);
  widths[last] = Math.max(10, Math.min(widths[last] ?? 10, width - used));
  const line = (cells: string[], rowIndex: number) =>
    cells
      .map((cell, i) => {
        const w = widths[i] ?? 0;
        const text = cell.length > w ? `${cell.slice(0, Math.max(0, w - 1))}…` : cell;
        const padded = i === last ? text : text.padEnd(w);
        return paintCell && rowIndex >= 0 ? paintCell(rowIndex, i, padded) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(headers, -1), ...rows.map((r, i) => line(r, i))].join('\n');
}
