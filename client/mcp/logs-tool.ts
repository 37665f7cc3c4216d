// The logs tool: a job's output as lines within a context budget (shared/log-budget.ts's
// MCP_LOGS_DEFAULTS: the last 100 lines, identical lines counted once, at most 16 KiB), with a
// note that says how to get more (a cursor to read on, grep, errors, head).

import * as v from 'valibot';
import { formatCursor, GAP_TEXT, MCP_LOGS_DEFAULTS, parseCursor, repeatSuffix } from '../../shared/log-budget.js';
import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import type { MethodSchemas } from '../../shared/schemas/methods.js';
import { logLinesParams } from '../../shared/schemas/log-lines.js';
import { obj, opt, str } from '../../shared/schemas/valid.js';
import type { ProcdClient } from '../index.js';
import { defineTool, type ToolDef } from './tool-def.js';

const CURSOR_TEXT = 'a cursor as a previous logs answer gave it (RUN.STDOUT.STDERR, e.g. 1.2048.0)';

export const LogsAnswerSchema = v.object({
  run: v.number(),
  state: v.string(),
  lines: v.array(v.object({ stream: v.string(), text: v.string(), count: v.number() })),
  /** Pass back as `cursor` to read on from after what this answer shows. */
  cursor: v.string(),
  /** Everything the job will ever write has been read (it ended). */
  eof: v.boolean(),
  /** Every line up to the end of the output was read: the job ended, nothing was cut or left unread. */
  toEnd: v.boolean(),
  /** Output bytes this call read and looked at (a search may take several reads). */
  scannedBytes: v.number(),
  /** Output bytes before what was read (the default read is the last lines only); null: not known. */
  earlierBytes: v.nullable(v.number()),
  /** What the budget left out (lines and bytes), or null. */
  cut: v.nullable(v.object({ by: v.string(), lines: v.number(), bytes: v.number() })),
  /** How to get more, in words; null when there is nothing more to get. */
  more: v.nullable(v.string()),
});
type LogsAnswer = v.InferOutput<typeof LogsAnswerSchema>;

function inputOf(S: MethodSchemas) {
  return obj({
    ...v.pick(S.logs.params, ['job', 'stream', 'tailLines', 'run']).entries,
    ...v.pick(logLinesParams, ['grep', 'ignoreCase', 'errors', 'context', 'collapse', 'head', 'maxBytes']).entries,
    cursor: opt(str({ min: 1, max: 100, pattern: /^\d+\.\d+\.\d+$/, what: CURSOR_TEXT })),
  });
}
export type LogsArgs = v.InferOutput<ReturnType<typeof inputOf>>;

const isSearch = (a: LogsArgs): boolean => a.grep !== undefined || a.errors === true;

/** The read the daemon is asked for: the tool's budget unless the arguments say otherwise. */
export function logsParams(a: LogsArgs): ParamsOf<'logs'> {
  const { job, stream, tailLines, run, cursor, ...lines } = a;
  const searching = isSearch(a) || a.head !== undefined;
  const from = cursor !== undefined ? parseCursor(cursor) : null;
  const tail = tailLines ?? (searching || from ? undefined : MCP_LOGS_DEFAULTS.tailLines);
  return {
    job,
    ...(stream !== undefined ? { stream } : {}),
    ...(run !== undefined ? { run } : {}),
    ...(tail !== undefined ? { tailLines: tail } : {}),
    ...(from ? { cursor: from } : {}),
    lines: { ...MCP_LOGS_DEFAULTS.lines, ...lines },
  };
}

/** How long one tool call goes on reading when a read found nothing yet (each daemon read is bounded on its own). */
export const MCP_LOGS_READ_MS = 20_000;

/** A read as the tool answers it: the last daemon answer, the bytes scanned by all of them and where the first began. */
export interface LogsRead {
  r: ResultOf<'logs'>;
  scanned: number;
  from: { stdout: number; stderr: number } | null;
}

/** Whether a daemon answer found nothing yet but stopped early (its scan bound or matching time): read on from its cursor. */
export function readOn(r: ResultOf<'logs'>): boolean {
  const l = r.lines;
  return !!l && l.items.length === 0 && l.cut === null && l.scan.limited && !r.eof && r.cursor.run === r.run;
}

/**
 * Reads as the CLI does: while a read stops early with nothing to show, the next one goes on from
 * its cursor, until lines come, the output ends, or `budgetMs` has passed. Each daemon read keeps
 * its own time bound, so the daemon serves others between them.
 */
export async function readLogs(client: Pick<ProcdClient, 'call'>, params: ParamsOf<'logs'>, budgetMs = MCP_LOGS_READ_MS, now: () => number = Date.now): Promise<LogsRead> {
  const deadline = now() + budgetMs;
  let r = await client.call('logs', params);
  const from = r.lines?.scan.from ?? null;
  let scanned = r.lines?.scan.bytes ?? 0;
  const { tailLines: _tail, ...rest } = params;
  while (readOn(r) && now() < deadline) {
    r = await client.call('logs', { ...rest, cursor: r.cursor });
    scanned += r.lines?.scan.bytes ?? 0;
  }
  return { r, scanned, from };
}

/** Output bytes before `from` that are still kept (`dropped` is where each stream's kept output starts). */
function earlierBytes(read: LogsRead, stream: LogsArgs['stream']): number | null {
  if (!read.from) return null;
  const d = read.r.dropped;
  const out = stream === 'stderr' ? 0 : Math.max(0, read.from.stdout - d.stdout);
  const err = stream === 'stdout' ? 0 : Math.max(0, read.from.stderr - d.stderr);
  return out + err;
}

/** The answer as lines, with what was cut and how to read on. */
export function logsAnswer(read: LogsRead, a: LogsArgs): LogsAnswer {
  const { r } = read;
  const items = r.lines?.items ?? [];
  const lines = items.map((i) => (i.kind === 'gap' ? { stream: 'gap', text: GAP_TEXT, count: 1 } : { stream: i.stream, text: i.text, count: i.count }));
  const cursor = formatCursor(r.cursor);
  const cut = r.lines?.cut ?? null;
  const limited = r.lines?.scan.limited ?? false;
  // Output before the read counts only for a read that chose its start (the last lines); a cursor's reader had it.
  const earlier = a.cursor === undefined ? earlierBytes(read, a.stream) : 0;
  const notes: string[] = [];
  if (cut) notes.push(`${cut.lines} more line(s) (${cut.bytes} bytes) were cut by ${cut.by}: call logs again with cursor "${cursor}" to read them, or narrow with grep / errors`);
  else if (limited && isSearch(a)) notes.push(`${lines.length ? 'the search' : `no match in the ${read.scanned} bytes scanned so far; the search`} stopped there (it reads a bounded amount per call): call logs again with the same arguments and cursor "${cursor}" to continue`);
  else if (limited) notes.push(`the read stopped after ${read.scanned} bytes of output: call logs again with cursor "${cursor}" to go on`);
  if (earlier !== 0 && !isSearch(a) && a.head === undefined) {
    const start = `${r.run}.${r.dropped.stdout}.${r.dropped.stderr}`;
    notes.push(`${earlier === null ? 'earlier output may exist' : `${earlier} earlier bytes of output are not shown`}: read them with head (from the start), grep or errors (they search the whole run), or cursor "${start}"`);
  }
  if (!r.eof && !cut && !limited) notes.push(`new output later: call logs with cursor "${cursor}"`);
  const toEnd = r.eof && !cut && !limited;
  return { run: r.run, state: r.state, lines, cursor, eof: r.eof, toEnd, scannedBytes: read.scanned, earlierBytes: earlier, cut, more: notes.length ? notes.join('; ') : null };
}
/** The first line: what the lines are (the last ones, matches, all of it) and of how much output. */
export function logsHead(answer: LogsAnswer, a: LogsArgs): string {
  const count = answer.lines.reduce((n, l) => n + (l.stream === 'gap' ? 0 : l.count), 0);
  const whole = answer.toEnd && answer.earlierBytes === 0 && a.cursor === undefined;
  let what: string;
  if (isSearch(a)) what = `${count ? `${count} matching line(s)` : 'no match'} in the ${answer.scannedBytes} bytes scanned${whole ? ' (all of the output)' : answer.toEnd ? ' (to the end)' : ' so far'}`;
  else if (answer.earlierBytes) what = `last ${count} line(s) (${answer.earlierBytes} earlier bytes not shown)`;
  else what = `${count ? `${count} line(s)` : a.cursor === undefined ? 'no output' : 'no new output'}${whole && count ? ' (all of it)' : ''}`;
  return `run ${answer.run}, ${answer.state}; ${what}`;
}

export function logsText(answer: LogsAnswer, a: LogsArgs): string {
  const body = answer.lines.map((l) => (l.count > 1 ? `${l.text}${repeatSuffix(l.count)}` : l.text)).join('\n');
  return [logsHead(answer, a), ...(body ? [body] : []), ...(answer.more ? [`[${answer.more}]`] : [])].join('\n');
}

export function logsTool(S: MethodSchemas): ToolDef {
  return defineTool({
    name: 'logs',
    title: "Read a job's output",
    observes: true,
    description: `A job's output (stdout and stderr interleaved, or \`stream\`) as lines, within a budget for your context: by default the last ${MCP_LOGS_DEFAULTS.tailLines} lines, identical consecutive lines counted once ("… ×57"), cut at ${MCP_LOGS_DEFAULTS.lines.maxBytes / 1024} KiB at a line boundary (\`maxBytes\` and \`collapse: false\` change that). Search instead of reading everything: \`grep\` (a JavaScript regex; \`context\` lines around each match) or \`errors\` (lines that look like errors: EADDRINUSE, tracebacks, npm errors, …) read the run from its start; \`head\` reads from the start. The answer says what was cut and gives a \`cursor\`: pass it back to read on from there (also to see only the output that came since). Job by id or name.`,
    input: inputOf(S),
    output: LogsAnswerSchema,
    async run(client, args) {
      const answer = logsAnswer(await readLogs(client, logsParams(args)), args);
      return { structured: answer, text: logsText(answer, args) };
    },
  });
}
