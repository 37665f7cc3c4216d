// What the fork server (`procd-shim --serve`, daemon/shim/native/server.c) writes to the daemon:
// one record per line, a relayed chunk carrying its length. Pure: bytes in, records out.

export type ServerRecord =
  | { type: 'ready'; version: string }
  | { type: 'forked'; pid: number }
  | { type: 'fork_failed'; code: string; message: string }
  | { type: 'channel'; pid: number; data: Buffer }
  | { type: 'gone'; pid: number; code: number | null; signal: number | null };

/** Splits the server's stdout into records; a malformed line is reported, never thrown. */
export class ServerRecordParser {
  private buffered: Buffer = Buffer.alloc(0);
  /** A relayed chunk whose header was read: its pid and how many bytes are still to come. */
  private chunk: { pid: number; size: number } | null = null;

  constructor(private readonly onMalformed: (line: string) => void = () => undefined) {}

  feed(bytes: Buffer): ServerRecord[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, bytes]) : bytes;
    const out: ServerRecord[] = [];
    for (;;) {
      if (this.chunk) {
        if (this.buffered.length < this.chunk.size) break;
        out.push({ type: 'channel', pid: this.chunk.pid, data: this.buffered.subarray(0, this.chunk.size) });
        this.buffered = this.buffered.subarray(this.chunk.size);
        this.chunk = null;
        continue;
      }
      const nl = this.buffered.indexOf(10);
      if (nl < 0) break;
      const line = this.buffered.subarray(0, nl).toString('utf8');
      this.buffered = this.buffered.subarray(nl + 1);
      const record = parseLine(line);
      if (record === null) this.onMalformed(line);
      else if ('size' in record) this.chunk = record;
      else out.push(record);
    }
    return out;
  }
}

const num = (s: string | undefined): number | null => (s !== undefined && /^[0-9]+$/.test(s) ? Number(s) : null);

function parseLine(line: string): ServerRecord | { pid: number; size: number } | null {
  const [tag, a, b, c] = line.split(' ');
  switch (tag) {
    case 'R':
      return { type: 'ready', version: a ?? '' };
    case 'P': {
      const pid = num(a);
      return pid ? { type: 'forked', pid } : null;
    }
    case 'F': {
      const rest = line.slice(2);
      const space = rest.indexOf(' ');
      return { type: 'fork_failed', code: space < 0 ? rest : rest.slice(0, space), message: space < 0 ? '' : rest.slice(space + 1) };
    }
    case 'E': {
      const pid = num(a);
      const size = num(b);
      return pid && size !== null ? { pid, size } : null;
    }
    case 'G': {
      const pid = num(a);
      if (!pid || b === undefined || c === undefined) return null;
      return { type: 'gone', pid, code: b === '-' ? null : num(b), signal: c === '-' ? null : num(c) };
    }
    default:
      return null;
  }
}
