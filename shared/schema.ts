// A tiny runtime schema language whose TypeScript types are inferred from the schema itself,
// so the method table in methods.ts is the single source of truth for both validation and types.
// We do not pull in a validation library: the protocol needs only these few shapes, and the
// client must stay light.

export interface Issue {
  /** Dotted path of the bad field, e.g. `params.env.PATH` or `params.jobs[2]`. */
  path: string;
  expected: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issue: Issue };

export interface Schema<T> {
  readonly description: string;
  /** For objects: each field's description (used to generate docs/protocol.md). */
  readonly fields?: Readonly<Record<string, string>>;
  parse(input: unknown, path: string): ParseResult<T>;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = (path: string, expected: string): ParseResult<never> => ({ ok: false, issue: { path, expected } });

export function string(opts: { min?: number; max?: number; pattern?: RegExp; what?: string } = {}): Schema<string> {
  const { min = 0, max = 1 << 20, pattern, what } = opts;
  const description = what ?? (min > 0 ? `a non-empty string` : 'a string');
  return {
    description,
    parse(input, path) {
      if (typeof input !== 'string') return fail(path, description);
      if (input.length < min || input.length > max) return fail(path, `${description} of length ${min}..${max}`);
      if (pattern && !pattern.test(input)) return fail(path, description);
      if (input.includes('\0')) return fail(path, `${description} without NUL bytes`);
      return ok(input);
    },
  };
}

export function integer(opts: { min?: number; max?: number } = {}): Schema<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = opts;
  const description = `an integer in ${min}..${max}`;
  return {
    description,
    parse(input, path) {
      if (typeof input !== 'number' || !Number.isInteger(input) || input < min || input > max) return fail(path, description);
      return ok(input);
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    description: 'a boolean',
    parse: (input, path) => (typeof input === 'boolean' ? ok(input) : fail(path, 'a boolean')),
  };
}

export function literal<const L extends string>(...values: L[]): Schema<L> {
  const description = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return {
    description,
    parse: (input, path) =>
      typeof input === 'string' && (values as string[]).includes(input) ? ok(input as L) : fail(path, description),
  };
}

export function array<T>(item: Schema<T>, opts: { min?: number; max?: number } = {}): Schema<T[]> {
  const { min = 0, max = 10_000 } = opts;
  const description = `an array of ${item.description} (${min}..${max} items)`;
  return {
    description,
    parse(input, path) {
      if (!Array.isArray(input) || input.length < min || input.length > max) return fail(path, description);
      const out: T[] = [];
      for (let i = 0; i < input.length; i++) {
        const r = item.parse(input[i], `${path}[${i}]`);
        if (!r.ok) return r;
        out.push(r.value);
      }
      return ok(out);
    },
  };
}

/** A string-keyed map such as an environment. */
export function record<T>(value: Schema<T>, opts: { maxKeys?: number; key?: Schema<string> } = {}): Schema<Record<string, T>> {
  const { maxKeys = 10_000, key: keySchema } = opts;
  const description = `an object mapping ${keySchema?.description ?? 'strings'} to ${value.description}`;
  return {
    description,
    parse(input, path) {
      if (!isPlainObject(input)) return fail(path, description);
      const keys = Object.keys(input);
      if (keys.length > maxKeys) return fail(path, `${description} with at most ${maxKeys} keys`);
      const out: Record<string, T> = {};
      for (const key of keys) {
        const k = keySchema?.parse(key, `${path}.${key}`);
        if (k && !k.ok) return fail(k.issue.path, `a key that is ${keySchema!.description}`);
        const r = value.parse(input[key], `${path}.${key}`);
        if (!r.ok) return r;
        out[key] = r.value;
      }
      return ok(out);
    },
  };
}

export function union<A, B>(a: Schema<A>, b: Schema<B>): Schema<A | B> {
  const description = `${a.description} or ${b.description}`;
  return {
    description,
    parse(input, path) {
      const ra = a.parse(input, path);
      if (ra.ok) return ra;
      const rb = b.parse(input, path);
      return rb.ok ? rb : fail(path, description);
    },
  };
}

const OPTIONAL = Symbol('optional');
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly [OPTIONAL]: true;
}

export function optional<T>(inner: Schema<T>): OptionalSchema<T> {
  return {
    [OPTIONAL]: true,
    description: `${inner.description} (optional)`,
    parse: (input, path) => (input === undefined || input === null ? ok(undefined) : inner.parse(input, path)),
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
export type InferObject<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined>;
};
type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** An object with known fields; unknown fields are refused so that typos are caught, not ignored. */
export function object<S extends Shape>(shape: S): Schema<Flatten<InferObject<S>>> {
  const description = `an object with fields ${Object.keys(shape).join(', ') || '(none)'}`;
  return {
    description,
    fields: Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.description])),
    parse(input, path) {
      if (input === undefined || input === null) input = {};
      if (!isPlainObject(input)) return fail(path, 'an object (named parameters)');
      for (const key of Object.keys(input)) {
        if (!(key in shape)) return fail(`${path}.${key}`, `no such field (known: ${Object.keys(shape).join(', ') || 'none'})`);
      }
      const out: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(shape)) {
        const r = schema.parse(input[key], `${path}.${key}`);
        if (!r.ok) return r;
        if (r.value !== undefined) out[key] = r.value;
      }
      return ok(out as Flatten<InferObject<S>>);
    },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
