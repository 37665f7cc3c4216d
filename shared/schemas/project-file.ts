// The project file (`procd.yaml`, `procd up` / `procd down`, issue 13) as a valibot schema: the same
// schema language as the protocol, so docs/procd-yaml.schema.json is generated from it (editors
// validate with that). snake_case keys, as such files are written; each entry offers what `track`
// offers. This checks each value on its own; client/project/load-project.ts checks what spans
// entries (after targets, cycles) and turns an issue into "file:line: key: problem".

import * as v from 'valibot';
import { parseDuration, parseSize } from '../duration.js';
import { LIMIT_RANGES, ON_LIMIT_ACTIONS } from '../limits.js';
import { nameProblem } from '../names.js';
import { PROBE_RANGES } from '../probes.js';
import { DEPENDENCY_CONDITIONS, PRIORITY_LEVELS, PRIORITY_RANGE } from '../queue.js';
import { RESTART_POLICIES } from '../restart.js';
import { parseSignal } from '../signals.js';
import { suggest } from '../suggest.js';
import { LIMITS } from '../field-limits.js';

const show = (input: unknown): string => JSON.stringify(input) ?? String(input);

/** A value typed as text or a number, checked by `ok`; refused as `"512Q" is not a size (examples: …)`. */
function textValue(what: string, examples: string, ok: (text: string) => boolean) {
  return v.pipe(
    v.union([v.string(), v.number()], `${what} (${examples})`),
    v.check((x) => ok(String(x)), (issue) => `${show(issue.input)} is not ${what} (${examples})`),
    v.description(`${what} (${examples})`),
  );
}

const duration = textValue('a duration', 'examples: 500ms, 30s, 5m; a bare number is seconds', (t) => parseDuration(t) !== null);
const size = textValue('a size', 'examples: 512M, 2G, 64k', (t) => parseSize(t) !== null);
const count = (range: { min: number; max: number }) =>
  v.pipe(v.number(`a whole number in ${range.min}..${range.max}`), v.check((n) => Number.isInteger(n) && n >= range.min && n <= range.max, (i) => `${show(i.input)} is not a whole number in ${range.min}..${range.max}`), v.description(`a whole number in ${range.min}..${range.max}`));
const text = (what = 'a string') => v.pipe(v.string(what), v.check((s) => !s.includes('\0'), `${what} without NUL bytes`), v.description(what));
const picked = <const L extends string>(values: readonly L[]) => {
  const d = `one of ${values.join(', ')}`;
  return v.pipe(v.string(d), v.check((s) => (values as readonly string[]).includes(s), (i) => `${show(i.input)} is not ${d}`), v.description(d));
};
const textList = (what: string, min = 0) => v.pipe(v.array(text(what), `a list of ${what}s`), v.minLength(min, `a list of at least ${min} ${what}`), v.description(`a list of ${what}s`));

/** An object whose unknown keys are refused by name, with the nearest known one. */
function keys<E extends v.ObjectEntries>(entries: E, what: string) {
  const known = Object.keys(entries);
  return v.strictObject(entries, (issue) => {
    const key = issue.path?.at(-1)?.key;
    if (issue.expected === 'never' && typeof key === 'string') {
      const near = suggest(key, known);
      return `unknown key${near ? `; did you mean ${near}?` : ` (known: ${known.join(', ')})`}`;
    }
    if (issue.received === 'undefined' && typeof key === 'string' && Object.hasOwn(entries, key)) return `required: ${v.getDescription(entries[key]!) ?? entries[key]!.expects}`;
    return `expected ${what}`;
  });
}

/** A short name (an entry, a project): a job name (shared/names.ts) without "/", which joins them. */
export function shortNameProblem(name: string): string | null {
  if (name.includes('/')) return 'contains "/", which joins a project and an entry (shop/api)';
  return nameProblem(name)?.problem ?? null;
}
const shortName = v.pipe(
  v.string('a name'),
  v.check((s) => shortNameProblem(s) === null, (i) => `${show(i.input)} ${shortNameProblem(String(i.input))}`),
  v.description('a name: not all digits, no spaces, control characters, ":", "=" or "/"'),
);

const conditionText = text('a condition such as listen=3000, output=REGEX, http=URL, tcp=PORT or exec=COMMAND');
/** A probe: the condition as text, or an object with the condition and the figures. */
const probe = v.union(
  [
    conditionText,
    keys(
      {
        when: conditionText,
        interval: v.optional(duration),
        timeout: v.optional(duration),
        initial_delay: v.optional(duration),
        success_threshold: v.optional(count(PROBE_RANGES.successThreshold)),
        failure_threshold: v.optional(count(PROBE_RANGES.failureThreshold)),
      },
      'a probe: { when, interval, timeout, initial_delay, success_threshold, failure_threshold }',
    ),
  ],
  'a condition, or an object { when: CONDITION, interval, timeout, initial_delay, success_threshold, failure_threshold }',
);

const dependencyPattern = new RegExp(`^[^:]+(:(${DEPENDENCY_CONDITIONS.join('|')}))?$`);
const dependency = v.pipe(
  v.string('NAME[:completed|ended|started|ready]'),
  v.check((s) => dependencyPattern.test(s), (i) => `${show(i.input)} is not NAME[:${DEPENDENCY_CONDITIONS.join('|')}]`),
  v.description(`a sibling entry's name, NAME[:${DEPENDENCY_CONDITIONS.join('|')}] (default completed)`),
);

const priorityNames = Object.keys(PRIORITY_LEVELS);
const priority = v.union(
  [picked(priorityNames), count(PRIORITY_RANGE)],
  `one of ${priorityNames.join(', ')}, or a whole number in ${PRIORITY_RANGE.min}..${PRIORITY_RANGE.max}`,
);

const signalValue = v.pipe(
  v.union([v.string(), v.number()], 'a signal name such as SIGINT'),
  v.check((s) => parseSignal(s) !== null, (i) => `${show(i.input)} is not a signal (examples: SIGINT, TERM, 15)`),
  v.description('a signal such as SIGINT'),
);
const percent = textValue('a percentage of one core', 'examples: 50, 150%, 200 for two cores', (t) => {
  const digits = t.endsWith('%') ? t.slice(0, -1) : t;
  return /^\d+$/.test(digits) && Number(digits) >= LIMIT_RANGES.cpuPercent.min && Number(digits) <= LIMIT_RANGES.cpuPercent.max;
});

/** One entry under `jobs:`: everything `track` offers, in snake_case. */
export const ProjectEntrySchema = keys(
  {
    /** The command as argv (no shell). Give this or `shell`. */
    command: v.optional(textList('argument', 1)),
    /** A shell string, run with /bin/sh -c. */
    shell: v.optional(text('a shell command')),
    /** Working directory, relative to the file's directory (default: that directory). */
    cwd: v.optional(text('a directory')),
    /** Variables set for the job on top of the environment `procd up` runs in. */
    env: v.optional(v.record(v.pipe(v.string(), v.regex(/^[^=\0]+$/, 'a variable name without "="')), v.union([v.string(), v.number(), v.boolean()], 'a string, number or boolean'), 'a mapping of variable names to values')),
    /** Files of KEY=VALUE lines (relative to the file), read by `procd up`; `env` wins over them. */
    env_file: v.optional(v.union([text('a file path'), textList('file path')], 'a file path or a list of them')),
    description: v.optional(v.pipe(text(), v.maxLength(2000, 'a string of at most 2000 characters'))),
    tags: v.optional(textList('tag')),
    /** `service` (meant to stay up) or `task` (runs to an end; the default). */
    kind: v.optional(picked(['service', 'task'])),
    /** The same as `kind: service`. */
    service: v.optional(v.boolean('true or false')),
    restart: v.optional(picked(RESTART_POLICIES)),
    restart_delay: v.optional(duration),
    restart_max_delay: v.optional(duration),
    max_restarts: v.optional(count({ min: 0, max: 1_000_000 })),
    restart_window: v.optional(duration),
    max_memory: v.optional(size),
    max_cpu: v.optional(percent),
    max_fds: v.optional(count(LIMIT_RANGES.fds)),
    max_procs: v.optional(count(LIMIT_RANGES.procs)),
    on_limit: v.optional(picked(ON_LIMIT_ACTIONS)),
    max_output: v.optional(size),
    stop_signal: v.optional(signalValue),
    grace: v.optional(duration),
    timeout: v.optional(duration),
    expect: v.optional(duration),
    stuck_after: v.optional(duration),
    group: v.optional(v.pipe(text('a group name'), v.regex(/^[^\s:=\p{Cc}]{1,100}$/u, 'a group name without spaces, ":" or "="'))),
    priority: v.optional(priority),
    /** Sibling entries it waits for, by their short name: `api`, `api:ready`. */
    after: v.optional(v.array(dependency, 'a list of NAME[:condition]')),
    ready_when: v.optional(probe),
    alive_when: v.optional(probe),
  },
  'an entry: a mapping with command or shell, and what track offers (restart, ready_when, after, …)',
);

/** The whole file: an optional project name and the entries. */
export const ProjectFileSchema = keys(
  {
    /** Where an editor finds this file's JSON Schema (procd.json: `"$schema": ".../procd-yaml.schema.json"`); procd ignores it. */
    $schema: v.optional(text('a URL or path of the JSON Schema')),
    /** The project's name (default: the file's directory's name); its jobs are named PROJECT/ENTRY. */
    name: v.optional(shortName),
    jobs: v.pipe(
      v.record(shortName, ProjectEntrySchema, 'a mapping of entry names to entries'),
      v.description('the entries: a mapping of entry names to entries'),
      v.check((jobs) => Object.keys(jobs).length > 0, 'at least one entry'),
      v.maxEntries(LIMITS.commandItems, `at most ${LIMITS.commandItems} entries`),
    ),
  },
  'a mapping with `jobs:` (and optionally `name:`)',
);

export type ProjectEntry = v.InferOutput<typeof ProjectEntrySchema>;
export type ProjectFile = v.InferOutput<typeof ProjectFileSchema>;
/** A probe as the file writes it. */
export type ProjectProbe = NonNullable<ProjectEntry['ready_when']>;

export { shortName as ProjectNameSchema };
