// A command's argv → option values and positionals, with procd's own usage messages. node:util
// parseArgs (non-strict) only splits the words; every check is ours, so a mistake is told in
// words that say what to type (a mistyped option gets "did you mean"), never node's wording.

import { parseArgs } from 'node:util';
import type { CliOption } from '../../shared/method-spec.js';
import type { OptionValues } from './command.js';
import { suggest } from '../../shared/suggest.js';
import { EXIT, ExitError } from './exit-codes.js';

export { editDistance, suggest } from '../../shared/suggest.js';

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

/** The words before `--`: procd's own; after it they belong to the job's command. */
function ownWords(args: readonly string[]): readonly string[] {
  const end = args.indexOf('--');
  return end === -1 ? args : args.slice(0, end);
}

/** Whether the words before `--` ask for JSON: usage errors then answer in JSON too. */
export function wantsJson(args: readonly string[]): boolean {
  return ownWords(args).includes('--json');
}

/** Whether the words before `--` ask for help (`--help`, `-h`, or `-h` among short flags). */
export function asksForHelp(args: readonly string[]): boolean {
  return ownWords(args).some((arg) => arg === '--help' || /^-[a-zA-Z]*h/.test(arg));
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

