// `procd logs`' options for reading within a budget (--grep, -i, --errors, --context, --collapse, --head,
// --max-bytes, --since-cursor): checked here, turned into the `lines` params and a printer.

import { MAX_ANSWER_BYTES, MAX_CONTEXT_LINES, parseCursor, type CursorTriple } from '../../shared/log-budget.js';
import type { ParamsOf } from '../../shared/methods.js';
import { flag, str, type OptionValues } from './command.js';
import { EXIT, ExitError } from './exit-codes.js';
import { intOption, LIMITS, sizeOption } from './parse.js';
import { LinePrinter } from './print-lines.js';

export interface LineOptions {
  /** Null: a plain byte-exact read. */
  printer: LinePrinter | null;
  cursor?: CursorTriple;
}

export function lineOptions(values: OptionValues, o: { follow: boolean; allRuns: boolean; tail: boolean; stream: string; json: boolean }): LineOptions {
  const grep = str(values, 'grep');
  const context = intOption('context', str(values, 'context'), { max: MAX_CONTEXT_LINES });
  const head = intOption('head', str(values, 'head'), { min: 1, max: LIMITS.count });
  const maxBytes = sizeOption('max-bytes', str(values, 'max-bytes'), { min: 256, max: MAX_ANSWER_BYTES });
  const collapse = flag(values, 'collapse');
  const errors = flag(values, 'errors');
  const ignoreCase = flag(values, 'ignore-case');
  const cursorText = str(values, 'since-cursor');
  if (grep === '') throw new ExitError(EXIT.usage, '--grep needs a regular expression');
  if (context !== undefined && grep === undefined) throw new ExitError(EXIT.usage, '--context needs --grep: it is the lines around each match');
  if (ignoreCase && grep === undefined) throw new ExitError(EXIT.usage, '--ignore-case needs --grep');
  // Context, collapsing and a byte budget hold within one read; a follow is many reads as output comes.
  for (const [name, given] of [['context', context !== undefined], ['collapse', collapse], ['max-bytes', maxBytes !== undefined]] as const) {
    if (given && o.follow) throw new ExitError(EXIT.usage, `--${name} is not for --follow: it applies to what one read returns (use --head N to stop after N lines)`);
  }
  let cursor: CursorTriple | undefined;
  if (cursorText !== undefined) {
    const c = parseCursor(cursorText);
    if (!c) throw new ExitError(EXIT.usage, `--since-cursor: "${cursorText}" is not a cursor (RUN.STDOUT.STDERR as a note or --json gave it, e.g. 1.2048.0)`);
    if (o.tail || o.allRuns) throw new ExitError(EXIT.usage, '--since-cursor says where to start: not with --tail, --since or --all-runs');
    cursor = c;
  }
  const filtered = grep !== undefined || head !== undefined || maxBytes !== undefined || collapse || errors;
  if (!filtered) return { printer: null, ...(cursor ? { cursor } : {}) };
  const params: NonNullable<ParamsOf<'logs'>['lines']> = {
    ...(grep !== undefined ? { grep } : {}),
    ...(ignoreCase ? { ignoreCase } : {}),
    ...(errors ? { errors } : {}),
    ...(context ? { context } : {}),
    ...(collapse ? { collapse } : {}),
    ...(head !== undefined ? { head } : {}),
    ...(maxBytes !== undefined ? { maxBytes } : {}),
  };
  const printer = new LinePrinter(params, { json: o.json, toStderr: o.stream === 'both', timestamps: flag(values, 'timestamps') });
  return { printer, ...(cursor ? { cursor } : {}) };
}
