// Output chunks → lines of coloured segments, and the search over them. Pure: no DOM.

import { parseAnsi, stripAnsi, type AnsiSegment } from './ansi.js';

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  segments: AnsiSegment[];
  /** The line's text without escapes, for search. */
  plain: string;
}

/** Each stream's chunks joined (a line may span chunks), then split into lines in arrival order. */
export function toLines(chunks: readonly OutputChunk[]): OutputLine[] {
  const lines: OutputLine[] = [];
  const pending: Record<string, string> = { stdout: '', stderr: '' };
  const flush = (stream: 'stdout' | 'stderr', text: string) => {
    const segments = parseAnsi(text);
    lines.push({ stream, segments, plain: stripAnsi(text) });
  };
  for (const c of chunks) {
    const parts = (pending[c.stream] + c.text).split('\n');
    pending[c.stream] = parts.pop() ?? '';
    for (const p of parts) flush(c.stream, p);
  }
  for (const stream of ['stdout', 'stderr'] as const) if (pending[stream]) flush(stream, pending[stream]!);
  return lines;
}

/** The lines that contain every word of the search (case-insensitive); all of them when it is empty. */
export function searchLines(lines: readonly OutputLine[], search: string): OutputLine[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...lines];
  return lines.filter((l) => {
    const hay = l.plain.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
