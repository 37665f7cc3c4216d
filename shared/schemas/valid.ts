// Building blocks for the protocol's input schemas (valibot). Each one carries a human
// description — what a bad value is refused with ("expected an absolute directory path") and what
// docs/protocol.md shows — and objects refuse unknown fields so that typos are caught, not ignored.
// Daemon side and docs only: the CLI's hot path never loads this (see shared/methods.ts).

import * as v from 'valibot';

/** One refused field: its dotted path (`params.env.PATH`, `params.jobs[2]`) and what was expected. */
export interface Issue {
  path: string;
  expected: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issue: Issue };

type AnySchema = v.GenericSchema;

/** Strings can never carry NUL: it cannot reach execve, a file name or a terminal intact. */
const NO_NUL = /^[^\0]*$/u;

export function str(opts: { min?: number; max?: number; pattern?: RegExp; what?: string } = {}) {
  const { min = 0, max = 1 << 20, pattern, what } = opts;
  const d = what ?? (min > 0 ? 'a non-empty string' : 'a string');
  const base = v.pipe(v.string(d), v.minLength(min, `${d} of length ${min}..${max}`), v.maxLength(max, `${d} of length ${min}..${max}`));
  const checked = pattern ? v.pipe(base, v.regex(pattern, d)) : base;
  return v.pipe(checked, v.regex(NO_NUL, `${d} without NUL bytes`), v.description(d));
}

export function int(opts: { min?: number; max?: number } = {}) {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = opts;
  const d = `an integer in ${min}..${max}`;
  return v.pipe(v.number(d), v.integer(d), v.minValue(min, d), v.maxValue(max, d), v.description(d));
}

export const bool = () => v.pipe(v.boolean('a boolean'), v.description('a boolean'));

export function oneOf<const L extends string>(values: readonly L[]) {
  const d = `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
  return v.pipe(v.picklist(values, d), v.description(d));
}

export function list<S extends AnySchema>(item: S, opts: { min?: number; max?: number } = {}) {
  const { min = 0, max = 10_000 } = opts;
  const d = `an array of ${describe(item)} (${min}..${max} items)`;
  return v.pipe(v.array(item, d), v.minLength(min, d), v.maxLength(max, d), v.description(d));
}

/** A string-keyed map such as an environment. */
export function map<S extends AnySchema>(value: S, opts: { maxKeys?: number; key?: v.GenericSchema<string, string> } = {}) {
  const { maxKeys = 10_000, key = v.string() } = opts;
  const d = `an object mapping ${opts.key ? describe(opts.key) : 'strings'} to ${describe(value)}`;
  return v.pipe(v.record(key, value, d), v.maxEntries(maxKeys, `${d} with at most ${maxKeys} keys`), v.description(d));
}

export function either<A extends AnySchema, B extends AnySchema>(a: A, b: B) {
  const d = `${describe(a)} or ${describe(b)}`;
  return v.pipe(v.union([a, b], d), v.description(d));
}

export const opt = <S extends AnySchema>(inner: S) => v.optional(inner);

/** Named parameters: an object with known fields; an unknown field is refused by name. */
export function obj<E extends v.ObjectEntries>(entries: E) {
  const known = Object.keys(entries).join(', ') || 'none';
  return v.strictObject(entries, (issue) => {
    if (issue.expected === 'never') return `no such field (known: ${known})`;
    // A missing field is reported at its own path: say what it needs, not "an object".
    const key = issue.path?.at(-1)?.key;
    if (issue.received === 'undefined' && typeof key === 'string' && Object.hasOwn(entries, key)) return `${describe(entries[key]!)} (required)`;
    return 'an object (named parameters)';
  });
}

/** The description a schema was built with (optional ones say so), for messages and docs. */
export function describe(schema: AnySchema): string {
  if (schema.type === 'optional') return `${describe((schema as unknown as v.OptionalSchema<AnySchema, undefined>).wrapped)} (optional)`;
  return v.getDescription(schema) ?? schema.expects;
}

/** Validates `input`, reporting the first bad field under `root` (e.g. `params`). */
export function parseAt<S extends AnySchema>(schema: S, input: unknown, root: string): ParseResult<v.InferOutput<S>> {
  const r = v.safeParse(schema, input, { abortEarly: true });
  if (r.success) return { ok: true, value: r.output };
  const issue = r.issues[0];
  const path = root + (issue.path ?? []).map((p) => pathPart(p.key)).join('');
  const last = issue.path?.at(-1);
  // A record's bad key (an env name with "="), not an object's unknown field (which says so itself).
  const isKey = last !== undefined && 'origin' in last && last.origin === 'key' && issue.type !== 'strict_object';
  return { ok: false, issue: { path, expected: isKey ? `a key that is ${issue.message}` : issue.message } };
}

function pathPart(key: unknown): string {
  return typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
}
