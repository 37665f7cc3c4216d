// Newline-delimited JSON framing. JSON.stringify escapes newlines inside strings, so a raw
// newline always ends a message. A frame longer than the cap is refused, never buffered.

/**
 * The largest message either side accepts. One global cap, not one per method: the daemon must
 * buffer a line before it can read its method, so a smaller cap for other methods would save no
 * memory. 4 MiB holds the biggest command the OS runs (argv + environment ≤ ARG_MAX, 2 MiB on
 * Linux) with room for JSON escaping; the per-field caps (shared/schemas/methods.ts) do the rest.
 */
export const MAX_FRAME_BYTES = 4 << 20;

export type Frame = { kind: 'line'; text: string } | { kind: 'oversize'; bytes: number };

/** Splits incoming bytes into lines; reports (once) a line that grows past `maxBytes`. */
export class LineDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private overflowing = false;

  constructor(private readonly maxBytes: number = MAX_FRAME_BYTES) {}

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      if (end > start) this.append(chunk.subarray(start, end), frames);
      if (nl === -1) break;
      if (this.overflowing) {
        this.overflowing = false;
      } else if (this.size > 0) {
        frames.push({ kind: 'line', text: Buffer.concat(this.parts, this.size).toString('utf8') });
      }
      this.parts = [];
      this.size = 0;
      start = nl + 1;
    }
    return frames;
  }

  private append(piece: Buffer, frames: Frame[]): void {
    if (this.overflowing) return;
    this.size += piece.length;
    if (this.size > this.maxBytes) {
      frames.push({ kind: 'oversize', bytes: this.size });
      this.overflowing = true;
      this.parts = [];
      return;
    }
    // Copy: the caller's buffer may be reused.
    this.parts.push(Buffer.from(piece));
  }
}

export function encodeFrame(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}
