// The logs tool: a job's output as lines within a context budget (shared/log-budget.ts's
// MCP_LOGS_DEFAULTS: the last 100 lines, identical lines counted once, at most 16 KiB), with a
// note that says how to get more (a cursor to read on, grep, errors, head).

import * as v from 'valibot';
import { formatCursor, GAP_TEXT, MCP_LOGS_DEFAULTS, parseCursor, repeatSuffix } from '../../shared/log-budget.js';
import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import type { MethodSchemas } from '../../shared/schemas/methods.js';
import { logLinesParams } from '../../shared/schemas/log-lines.js';
import { obj, opt, str } from '../../shared/schemas/valid.js';
import { methodTool, type ToolDef } from './tool-def.js';

const CURSOR_TEXT = 'a cursor as a previous logs answer gave it (RUN.STDOUT.STDERR, e.g. 1.2048.0)';

export const LogsAnswerSchema = v.object({
  run: v.number(),
  state: v.string(),
  lines: v.array(v.object({ stream: v.string(), text: v.string(), count: v.number() })),
  /** Pass back as `cursor` to read on from after what this answer shows. */
  cursor: v.string(),
  /** Everything the job will ever write has been read (it ended). */
  eof: v.boolean(),
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
type LogsArgs = v.InferOutput<ReturnType<typeof inputOf>>;

/** The read the daemon is asked for: the tool's budget unless the arguments say otherwise. */
export function logsParams(a: LogsArgs): ParamsOf<'logs'> {
  const { job, stream, tailLines, run, cursor, ...lines } = a;
  const searching = a.grep !== undefined || a.errors === true || a.head !== undefined;
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

/** The answer as lines, with what was cut and how to read on. */
export function logsAnswer(r: ResultOf<'logs'>, a: LogsArgs): LogsAnswer {
  const items = r.lines?.items ?? [];
  const lines = items.map((i) => (i.kind === 'gap' ? { stream: 'gap', text: GAP_TEXT, count: 1 } : { stream: i.stream, text: i.text, count: i.count }));
  const cursor = formatCursor(r.cursor);
  const cut = r.lines?.cut ?? null;
  const notes: string[] = [];
  if (cut) notes.push(`${cut.lines} more line(s) (${cut.bytes} bytes) were cut by ${cut.by}: call logs again with cursor "${cursor}" to read them, or narrow with grep / errors`);
  else if (r.lines?.scan.limited) notes.push(`the read stopped after ${r.lines.scan.bytes} bytes of output: call logs again with cursor "${cursor}" to go on`);
  if (!cut && a.tailLines === undefined && a.cursor === undefined && a.grep === undefined && a.errors !== true && a.head === undefined && lines.length >= MCP_LOGS_DEFAULTS.tailLines)
    notes.push('these are the last lines only: earlier output with head (from the start), grep or errors');
  if (!r.eof && !cut) notes.push(`new output later: call logs with cursor "${cursor}"`);
  return { run: r.run, state: r.state, lines, cursor, eof: r.eof, cut, more: notes.length ? notes.join('; ') : null };
}

export function logsText(answer: LogsAnswer): string {
  const body = answer.lines.map((l) => (l.count > 1 ? `${l.text}${repeatSuffix(l.count)}` : l.text)).join('\n');
  const head = `run ${answer.run}, ${answer.state}; ${answer.lines.length ? `${answer.lines.length} line(s)` : 'no output'}${answer.eof ? ' (all of it)' : ''}`;
  return [head, ...(body ? [body] : []), ...(answer.more ? [`[${answer.more}]`] : [])].join('\n');
}

export function logsTool(S: MethodSchemas): ToolDef {
  return methodTool('logs', S, {
    name: 'logs',
    title: "Read a job's output",
    observes: true,
    description: `A job's output (stdout and stderr interleaved, or \`stream\`) as lines, within a budget for your context: by default the last ${MCP_LOGS_DEFAULTS.tailLines} lines, identical consecutive lines counted once ("… ×57"), cut at ${MCP_LOGS_DEFAULTS.lines.maxBytes / 1024} KiB at a line boundary (\`maxBytes\` and \`collapse: false\` change that). Search instead of reading everything: \`grep\` (a JavaScript regex; \`context\` lines around each match) or \`errors\` (lines that look like errors: EADDRINUSE, tracebacks, npm errors, …) read the run from its start; \`head\` reads from the start. The answer says what was cut and gives a \`cursor\`: pass it back to read on from there (also to see only the output that came since). Job by id or name.`,
    input: inputOf(S),
    output: LogsAnswerSchema,
    params: logsParams,
    structured: (r, a) => logsAnswer(r, a),
    summary: (r, a) => logsText(logsAnswer(r, a)),
  });
}
