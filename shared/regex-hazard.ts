// Regular expressions a user gives procd (`output=REGEX`) run on the daemon's event loop against
// lines (matched on their first 4 KiB), and JavaScript's backtracking engine has no time limit: `(a+)+$` against
// 40 `a`s and a `b` takes minutes and would stall every job's supervision. Patterns whose
// backtracking can grow exponentially with the line are refused when they are given, by shape:
// - any repetition (`*`, `+`, `{n,}`, and `{n}` or `{n,m}` above 1) of a group that holds an
//   unbounded quantifier (`(a+)+`, `(\w*,)*`, `(?:x|y+)*`, `(\w+\s*){4}` — n^4 on a line of n);
// - an unbounded quantifier over a group of alternatives (`(a|ab)*`, `([ab]|b)*`), unless every
//   alternative is plain text and no two start with the same character (`(GET|POST)*`, `(a|b)*`):
//   then at most one alternative can match at each position;
// - backreferences (`\1`, `\k<name>`), which no engine matches in linear time.
// A shape check is conservative, not a proof: it refuses a few harmless patterns (say so in the
// message, with the rewrite) and lets through a rarer hazard (overlapping adjacent quantifiers such
// as `\d*\d*\d*x`, polynomial at worst), so the probe also matches a long line on a bounded prefix
// (daemon/probes/checks/output.ts MAX_LINE_BYTES).

interface Frame {
  /** Holds an unbounded quantifier (directly or in a nested group). */
  unbounded: boolean;
  /** The text of each alternative at its level so far (null: not plain text). */
  alternatives: (string | null)[];
  /** The current alternative's text while it is plain text; null once it is not. */
  text: string | null;
}

const newFrame = (): Frame => ({ unbounded: false, alternatives: [], text: '' });

/** A group whose alternatives cannot both match at one position: plain texts with distinct first characters. */
function distinctAlternatives(frame: Frame): boolean {
  const all = [...frame.alternatives, frame.text];
  if (all.length < 2) return true;
  // Compared without case: under the `i` flag `a` and `A` are one character.
  const firsts = all.map((t) => (t ? t[0]!.toLowerCase() : null));
  return firsts.every((f) => f !== null) && new Set(firsts).size === firsts.length;
}

const notText = (frame: Frame) => {
  frame.text = null;
};

/** Why `pattern` is refused, or null when its shape is safe. */
export function regexHazard(pattern: string): string | null {
  const stack: Frame[] = [newFrame()];
  const top = () => stack[stack.length - 1]!;
  /** The group that just closed, while the next token may quantify it. */
  let closed: Frame | null = null;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    const quantifier = quantifierAt(pattern, i);
    if (quantifier) {
      // `(a+){10}` is no better than `(a+)+`: the inner part can split the text 10 ways over (n^10).
      if (quantifier.repeats && closed?.unbounded) return `repetition of a group that holds unbounded repetition (such as \`(a+)+\` or \`(\\w+\\s*){4}\`) near position ${i}: it can take exponential or high-polynomial time on a long line; repeat the inner part only (\`a+\`)`;
      if (quantifier.unbounded) {
        if (closed && !distinctAlternatives(closed)) return `an unbounded repetition of alternatives (such as \`(a|ab)*\`) near position ${i}: it can take exponential time on a long line; use a character class or make the alternatives distinct`;
        top().unbounded = true;
      }
      if (closed) top().unbounded ||= closed.unbounded;
      notText(top());
      closed = null;
      i += quantifier.length;
      continue;
    }
    if (closed) top().unbounded ||= closed.unbounded;
    closed = null;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || (next === 'k' && pattern[i + 2] === '<')) return `a backreference (\`\\${next}\`) near position ${i}: it cannot be matched in bounded time; match the text itself`;
      const frame = top();
      // An escaped punctuation character is that character; \d, \w, \s ... are classes.
      if (frame.text !== null && /^[^\w\s]$/.test(next)) frame.text += next;
      else notText(frame);
      i += escapeLength(pattern, i);
    } else if (c === '[') {
      notText(top());
      i = classEnd(pattern, i);
    } else if (c === '(') {
      notText(top());
      stack.push(newFrame());
      i += groupPrefixLength(pattern, i);
    } else if (c === ')') {
      if (stack.length > 1) closed = stack.pop()!;
      i++;
    } else if (c === '|') {
      const frame = top();
      frame.alternatives.push(frame.text);
      frame.text = '';
      i++;
    } else {
      const frame = top();
      if (c === '.' || c === '^' || c === '$') notText(frame);
      else if (frame.text !== null) frame.text += c;
      i++;
    }
  }
  return null;
}

/** The quantifier starting at `i` (with its lazy `?`), if any. */
function quantifierAt(p: string, i: number): { unbounded: boolean; repeats: boolean; length: number } | null {
  const c = p[i];
  let length = 0;
  let unbounded = false;
  /** It may match its atom more than once (`*`, `+`, `{2}`, `{1,3}`; not `?`, `{0,1}`, `{1}`). */
  let repeats = false;
  if (c === '*' || c === '+') [length, unbounded, repeats] = [1, true, true];
  else if (c === '?') length = 1;
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i, i + 24));
    if (!m) return null;
    length = m[0].length;
    unbounded = m[2] !== undefined && m[3] === '';
    const max = unbounded ? Infinity : Number(m[3] ?? m[1]);
    repeats = max > 1;
  } else return null;
  if (p[i + length] === '?') length++;
  return { unbounded, repeats, length };
}

/** Characters an escape at `i` takes (`\uXXXX`, `\u{...}`, `\xHH`, `\p{...}`, `\cX`, or two). */
function escapeLength(p: string, i: number): number {
  const m = /^\\(?:u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[pP]\{[^}]*\}|c[A-Za-z]|[\s\S])/.exec(p.slice(i, i + 40));
  return m ? m[0].length : 1;
}

/** The index after the character class that starts at `i` (escapes inside it skipped). */
function classEnd(p: string, i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  if (p[j] === ']') j++;
  while (j < p.length && p[j] !== ']') j += p[j] === '\\' ? 2 : 1;
  return j + 1;
}

/** `(`, `(?:`, `(?=`, `(?!`, `(?<=`, `(?<!` or `(?<name>`. */
function groupPrefixLength(p: string, i: number): number {
  const m = /^\((?:\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>))?/.exec(p.slice(i, i + 64));
  return m ? m[0].length : 1;
}
