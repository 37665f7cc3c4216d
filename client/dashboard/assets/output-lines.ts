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

/** A chunk as GET /api/jobs/:id/output sends it: the bytes base64-encoded (`text` only when valid UTF-8 on its own). */
export interface WireChunk {
  stream: 'stdout' | 'stderr';
  data: string;
}

type Streams<T> = Record<'stdout' | 'stderr', T>;

/**
 * Output read piece by piece (follow by cursor) → lines. Each stream keeps its own unfinished last
 * line and its own UTF-8 decoder (a character split between two reads comes out whole); complete
 * lines are handed out once, in arrival order, so a follower only appends.
 */
export class LineAssembler {
  private pending: Streams<string> = { stdout: '', stderr: '' };
  private decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };

  /** The new complete lines of these text chunks. */
  push(chunks: readonly OutputChunk[]): OutputLine[] {
    const out: OutputLine[] = [];
    for (const c of chunks) {
      const parts = (this.pending[c.stream] + c.text).split('\n');
      this.pending[c.stream] = parts.pop() ?? '';
      for (const p of parts) out.push(toLine(c.stream, p));
    }
    return out;
  }

  /** The new complete lines of chunks as the API sends them (bytes, base64). */
  pushWire(chunks: readonly WireChunk[]): OutputLine[] {
    return this.push(chunks.map((c) => ({ stream: c.stream, text: this.decoders[c.stream].decode(fromBase64(c.data), { stream: true }) })));
  }

  /** Each stream's unfinished last line (shown, but replaced when the rest of it arrives). */
  partial(): OutputLine[] {
    return (['stdout', 'stderr'] as const).filter((s) => this.pending[s] !== '').map((s) => toLine(s, this.pending[s]));
  }
}

function toLine(stream: 'stdout' | 'stderr', text: string): OutputLine {
  return { stream, segments: parseAnsi(text), plain: stripAnsi(text) };
}

function fromBase64(data: string): Uint8Array {
  const bin = atob(data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** Each stream's chunks joined (a line may span chunks), then split into lines in arrival order. */
export function toLines(chunks: readonly OutputChunk[]): OutputLine[] {
  const a = new LineAssembler();
  return [...a.push(chunks), ...a.partial()];
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
