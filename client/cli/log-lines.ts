// `procd logs --timestamps`: each line of output prefixed with when its first byte arrived. Lines
// run across chunks, so whether the next byte starts a line is kept per output stream.

/** The prefix for a line: ISO 8601 UTC to the millisecond; a dash of the same width when unknown. */
export function stamp(at: number | null | undefined): string {
  // undefined: a daemon from before chunks carried their time.
  return at === null || at === undefined ? `${'-'.padEnd(24)} ` : `${new Date(at).toISOString()} `;
}

export class LineStamper {
  private atLineStart = true;

  /** The bytes with a prefix before each line that starts in them. */
  apply(bytes: Buffer, at: number | null | undefined): Buffer {
    if (bytes.length === 0) return bytes;
    const prefix = Buffer.from(stamp(at));
    const parts: Buffer[] = [];
    let pos = 0;
    while (pos < bytes.length) {
      if (this.atLineStart) parts.push(prefix);
      const nl = bytes.indexOf(0x0a, pos);
      const end = nl < 0 ? bytes.length : nl + 1;
      parts.push(bytes.subarray(pos, end));
      this.atLineStart = nl >= 0;
      pos = end;
    }
    return Buffer.concat(parts);
  }
}
