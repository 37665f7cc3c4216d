// A command's argv → option values and positionals, with procd's own usage messages. node:util
// parseArgs (non-strict) only splits the words; every check is ours, so a mistake is told in
// words that say what to type (a mistyped option gets "did you mean"), never node's wording.

import { parseArgs } from 'node:util';
import type { CliOption } from '../../shared/method-spec.js';
import type { OptionValues } from './command.js';
import { EXIT, ExitError } from './exit-codes.js';

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

export interface ArgsSpec {
  /** The command's options plus the global ones. */
  options: Readonly<Record<string, Pick<CliOption, 'type' | 'short' | 'multiple' | 'arg'>>>;
  /** Said after an unknown option, e.g. where a job's own options go. */
  unknownHint?: string;
}

/** Splits and checks `args`; throws a usage ExitError (with `data.option`, `data.suggestion`) for the first mistake. */
export function parseCommandArgs(args: string[], spec: ArgsSpec): ParsedArgs {
  const shorts = new Map<string, string>();
  for (const [name, o] of Object.entries(spec.options)) if (o.short) shorts.set(o.short, name);
  const parseOptions = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) }]),
  );
  const { tokens } = parseArgs({ args, options: parseOptions, strict: false, allowPositionals: true, tokens: true });
  const values: OptionValues = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const option = spec.options[token.name];
    const raw = token.rawName;
    if (!option) throw unknownOption(/^-\d+$/.test(args[token.index] ?? '') ? args[token.index]! : raw, spec);
    const name = token.name;
    if (option.type === 'boolean') {
      if (token.value !== undefined) throw usage(`${raw} takes no value (got "${token.value}")`, { option: raw });
      values[name] = true;
      continue;
    }
    const value = token.value;
    const needs = `${raw} needs a value${option.arg ? ` (${option.arg})` : ''}`;
    if (value === undefined) throw usage(needs, { option: raw });
    // `--name --wait`: the next word is an option, not a value. `-1s` is a value (a negative number
    // is reported by the option's own check); `--name=-x` says it on purpose.
    if (!token.inlineValue && value.startsWith('-') && !/^-\d/.test(value)) {
      throw usage(`${needs}, but "${value}" is an option; to give a value that starts with "-", write --${name}=${value}`, { option: raw });
    }
    if (option.multiple) {
      const list = values[name];
      values[name] = Array.isArray(list) ? [...list, value] : [value];
    } else if (typeof values[name] === 'string') {
      throw usage(`--${name} given twice ("${values[name]}" and "${value}"); give it once`, { option: `--${name}` });
    } else values[name] = value;
  }
  return { values, positionals };
}

/** Whether the words before `--` ask for JSON: usage errors then answer in JSON too. */
export function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--json');
}

function unknownOption(raw: string, spec: ArgsSpec): ExitError {
  const word = raw.replace(/^-+/, '');
  // `procd signal web -9`, as with kill(1).
  if (/^-\d+$/.test(raw)) return usage(`unknown option ${raw}: a signal or a number goes without the dash (9, KILL or SIGKILL)`, { option: raw });
  const suggestion = raw.startsWith('--') ? suggest(word, Object.keys(spec.options)) : null;
  const did = suggestion ? ` (did you mean --${suggestion}?)` : '';
  return usage(`unknown option ${raw}${did}${spec.unknownHint ? `; ${spec.unknownHint}` : ''}`, { option: raw, ...(suggestion ? { suggestion: `--${suggestion}` } : {}) });
}

function usage(message: string, data: Record<string, unknown>): ExitError {
  return new ExitError(EXIT.usage, message, data);
}

/** The known name closest to `word`: a unique prefix, else the nearest within a small edit distance. */
export function suggest(word: string, names: readonly string[]): string | null {
  const prefixed = names.filter((n) => n.startsWith(word));
  if (word.length >= 2 && prefixed.length === 1) return prefixed[0]!;
  const limit = word.length <= 4 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const name of names) {
    const d = editDistance(word, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost 1. */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}
