// Job names: what a name may be, with one reason per rule. A name is how `procd logs web` finds a
// job, so it cannot read as an id (all digits), hide in a terminal (spaces, control characters),
// or clash with the separators of `--after web:ready` and conditions (`:`, `=`). Plain data and
// functions: the CLI checks --name with these on its hot path, the daemon's schema with the same.

export const MAX_NAME_LENGTH = 200;

interface NameRule {
  broken: (name: string) => boolean;
  /** What the protocol expected (InvalidParams: "expected …"). */
  expected: string;
  /** What is wrong with the name the user typed, and what to do. */
  problem: string;
}

/** In order: the first rule a name breaks is the one reported. */
const NAME_RULES: readonly NameRule[] = [
  { broken: (n) => n.length === 0, expected: 'a non-empty name', problem: 'is empty: give a name such as web' },
  { broken: (n) => n.length > MAX_NAME_LENGTH, expected: `a name of at most ${MAX_NAME_LENGTH} characters`, problem: `is longer than ${MAX_NAME_LENGTH} characters` },
  { broken: (n) => /^\d+$/.test(n), expected: 'a name that is not all digits (digits name a job id)', problem: 'is all digits, which reads as a job id: add a letter (e.g. job-42)' },
  { broken: (n) => /\s/u.test(n), expected: 'a name without spaces', problem: 'contains a space: use - or _ instead (e.g. my-server)' },
  { broken: (n) => /[\p{Cc}]/u.test(n), expected: 'a name without control characters', problem: 'contains a control character' },
  {
    // Zero-width and text-direction characters (U+200B, U+202E, …) make one name look like another.
    broken: (n) => /\p{Cf}/u.test(n),
    expected: 'a name without invisible or text-direction characters',
    problem: 'contains an invisible or text-direction character (such as U+200B or U+202E), which would make it look like another name',
  },
  {
    broken: (n) => /[:=]/.test(n),
    expected: 'a name without ":" or "=" (they separate a name from a condition, as in web:ready)',
    problem: 'contains ":" or "=", which separate a name from a condition (web:ready): use - or _ instead',
  },
];

export interface NameProblem {
  expected: string;
  problem: string;
}

/** Why `name` cannot be a job name, or null when it can. */
export function nameProblem(name: string): NameProblem | null {
  const rule = NAME_RULES.find((r) => r.broken(name));
  return rule ? { expected: rule.expected, problem: rule.problem } : null;
}

/** How a valid name is described in help and the protocol docs. */
export const NAME_DESCRIPTION = 'a job name: not all digits, no spaces, control or invisible characters, ":" or "="';
