// `procd logs --grep/--head/--max-bytes/--collapse`: prints the lines a filtered read answers
// with, keeps what is left of the user's --head and --max-bytes across reads, and says what was
// cut and where to read on. follow-output.ts does the reading.

import { formatCursor, GAP_TEXT, repeatSuffix } from '../../shared/log-budget.js';
import type { LogsResult, ParamsOf } from '../../shared/methods.js';
import { stamp } from './log-lines.js';
import { writeBytes } from './reader-watch.js';

type LinesParams = NonNullable<ParamsOf<'logs'>['lines']>;
type Answer = NonNullable<LogsResult['lines']>;

/** The smallest answer the daemon takes (`lines.maxBytes`). */
const MIN_ANSWER_BYTES = 256;

export class LinePrinter {
  private head: number | null;
  private bytes: number | null;
  private printed = false;
  /** The last answer and the cursor after it: what the final note is about. */
  last: { answer: Answer; cursor: LogsResult['cursor']; eof: boolean } | null = null;

  constructor(
    private readonly params: LinesParams,
    private readonly o: { json: boolean; toStderr: boolean; timestamps: boolean },
  ) {
    this.head = params.head ?? null;
    this.bytes = params.maxBytes ?? null;
  }

  /** The `lines` params of the next read: what is left of the budgets. */
  next(): LinesParams {
    return { ...this.params, ...(this.head !== null ? { head: this.head } : {}), ...(this.bytes !== null ? { maxBytes: Math.max(MIN_ANSWER_BYTES, this.bytes) } : {}) };
  }

  /** True when the user's --head or --max-bytes is used up: no read after this one. */
  spent(): boolean {
    return this.head === 0 || (this.bytes !== null && this.bytes < MIN_ANSWER_BYTES) || (this.last?.answer.cut !== null && this.last?.answer.cut.by === 'head') || (this.bytes !== null && this.last?.answer.cut?.by === 'maxBytes');
  }

  /** True when the answer leaves output to read now: the scan stopped at its bound, or the default answer size cut it. */
  readOn(r: LogsResult): boolean {
    const a = r.lines;
    return !!a && !this.spent() && (a.scan.limited || a.cut?.by === 'maxBytes');
  }

  async print(r: LogsResult): Promise<void> {
    const answer = r.lines;
    if (!answer) return;
    this.last = { answer, cursor: r.cursor, eof: r.eof };
    for (const item of answer.items) {
      // A `--` says lines were passed between two groups shown: not before the first one.
      if (item.kind === 'gap' && !this.printed) continue;
      const text = this.o.json ? `${JSON.stringify({ ...item, run: r.run })}\n` : item.kind === 'gap' ? `${GAP_TEXT}\n` : lineText(item, this.o.timestamps);
      const toStderr = item.kind === 'line' && item.stream === 'stderr' && this.o.toStderr && !this.o.json;
      await writeBytes(toStderr ? process.stderr : process.stdout, text);
      this.printed = true;
      if (item.kind === 'line' && this.head !== null) this.head--;
      if (this.bytes !== null) this.bytes -= Buffer.byteLength(item.kind === 'gap' ? `${GAP_TEXT}\n` : lineText(item, false));
    }
  }

  /** What the output left out and where to read on, or null when nothing is to be said. */
  note(sinceCursorGiven: boolean): string | null {
    const last = this.last;
    if (!last) return null;
    const next = `--since-cursor ${formatCursor(last.cursor)}`;
    const cut = last.answer.cut;
    const flag = cut?.by === 'head' ? `--head ${this.params.head}` : `--max-bytes ${this.params.maxBytes}`;
    if (cut) return `cut at ${flag}: ${cut.lines} more line${cut.lines === 1 ? '' : 's'} (${cut.bytes} bytes) left out${last.answer.scan.limited ? ', and output after them not read yet' : ''}; read on with ${next}`;
    if (this.spent() && !last.eof) return `stopped at ${this.head === 0 ? `--head ${this.params.head}` : `--max-bytes ${this.params.maxBytes}`}; read on with ${next}`;
    if (last.answer.scan.limited) return `stopped after reading ${last.answer.scan.bytes} bytes of output; read on with ${next}`;
    return sinceCursorGiven ? `next: ${next}` : null;
  }

  /** The --json summary line: the cursor to read on from and what was cut. */
  summary(): string {
    const last = this.last;
    return `${JSON.stringify({ cursor: last ? formatCursor(last.cursor) : null, cut: last?.answer.cut ?? null, scanLimited: last?.answer.scan.limited ?? false, eof: last?.eof ?? false })}\n`;
  }
}

function lineText(item: Extract<Answer['items'][number], { kind: 'line' }>, timestamps: boolean): string {
  const clipped = item.clippedBytes ? ` …[+${item.clippedBytes} bytes]` : '';
  return `${timestamps ? stamp(item.at) : ''}${item.text}${clipped}${item.count > 1 ? repeatSuffix(item.count) : ''}\n`;
}
