// The one parser of the condition grammar (shared/conditions.ts): text → condition, with
// messages that name the problem and the fix. The daemon checks every condition it is sent
// with it; the CLI sends the text as typed, so its start-up does not load this.

import { WAIT_CONDITIONS, PROBE_CONDITIONS, type Condition, type ConditionKind } from './conditions.js';
import { parseDuration } from './duration.js';
import { JOB_STATE_KINDS, type JobStateKind } from './job.js';
import { suggest } from './suggest.js';
import { regexHazard } from './regex-hazard.js';

/** Whether each key takes a value: required, optional (listen), or none (exit, ready). */
const VALUE: Record<ConditionKind, 'required' | 'optional' | 'none'> = {
  output: 'required',
  listen: 'optional',
  tcp: 'required',
  http: 'required',
  exec: 'required',
  exit: 'none',
  ready: 'none',
  quiet: 'required',
  state: 'required',
  'port-free': 'required',
};

const EXAMPLES: Record<ConditionKind, string> = {
  output: 'output=listening on',
  listen: 'listen=8080',
  tcp: 'tcp=127.0.0.1:5432',
  http: 'http=http://127.0.0.1:8080/health',
  exec: 'exec=pg_isready -q',
  exit: 'exit',
  ready: 'ready',
  quiet: 'quiet=30s',
  state: 'state=running',
  'port-free': 'port-free=8080',
};

export class ConditionError extends Error {}

/**
 * Parses `text` into a condition of one of the `allowed` kinds; throws ConditionError with a
 * message that names the problem and the fix ("unknown condition `lisen`; did you mean `listen`?").
 */
export function parseCondition(text: string, allowed: readonly ConditionKind[] = PROBE_CONDITIONS): Condition {
  const eq = text.indexOf('=');
  const key = (eq < 0 ? text : text.slice(0, eq)).trim();
  const value = eq < 0 ? null : text.slice(eq + 1);
  if (key === '') throw new ConditionError(`empty condition; write KEY=VALUE, one of: ${allowed.join(', ')}`);
  if (!(allowed as readonly string[]).includes(key)) {
    const known = (WAIT_CONDITIONS as readonly string[]).includes(key);
    if (known) throw new ConditionError(`condition \`${key}\` cannot be used here; use one of: ${allowed.join(', ')}`);
    const near = suggest(key, allowed);
    throw new ConditionError(`unknown condition \`${key}\`${near ? `; did you mean \`${near}\`?` : ''} (one of: ${allowed.join(', ')})`);
  }
  const kind = key as ConditionKind;
  const need = VALUE[kind];
  if (need === 'required' && (value === null || value === '')) throw new ConditionError(`\`${kind}\` needs a value, e.g. \`${EXAMPLES[kind]}\``);
  if (need === 'none' && value !== null) throw new ConditionError(`\`${kind}\` takes no value; write just \`${kind}\``);
  const v = value ?? '';
  switch (kind) {
    case 'output':
      return outputCondition(v);
    case 'listen':
      return { kind, port: value === null || value === '' ? null : port(v, kind) };
    case 'tcp':
      return tcpCondition(v);
    case 'http':
      return httpCondition(v);
    case 'exec':
      if (v.trim() === '') throw new ConditionError('`exec` needs a command, e.g. `exec=pg_isready -q`');
      return { kind, command: v };
    case 'exit':
    case 'ready':
      return { kind };
    case 'quiet': {
      const ms = parseDuration(v);
      if (ms === null || ms <= 0) throw new ConditionError(`\`quiet\` needs a duration such as 30s or 2m, not \`${v}\``);
      return { kind, ms };
    }
    case 'state': {
      if (!(JOB_STATE_KINDS as readonly string[]).includes(v)) {
        const near = suggest(v, JOB_STATE_KINDS);
        throw new ConditionError(`unknown state \`${v}\`${near ? `; did you mean \`${near}\`?` : ''} (one of: ${JOB_STATE_KINDS.join(', ')})`);
      }
      return { kind, state: v as JobStateKind };
    }
    case 'port-free':
      return { kind, port: port(v, kind) };
  }
}

/** `output=REGEX`, or `output=/REGEX/FLAGS` for flags (i, m, s, u; g and y keep state between lines, so not those). */
function outputCondition(v: string): Condition {
  // `/REGEX/FLAGS` only when what follows the last slash is regular expression flags: `/api/ready`
  // is a pattern that starts with a slash, `/x/g` asks for a flag a line-by-line match cannot keep.
  const slashed = /^\/(.*)\/([dgimsuvy]*)$/s.exec(v);
  const pattern = slashed ? slashed[1]! : v;
  const flags = slashed ? slashed[2]! : '';
  const bad = [...flags].find((f) => !'imsu'.includes(f));
  if (bad) throw new ConditionError(`\`output\` takes the regular expression flags i, m, s and u, not \`${bad}\` (for a pattern that ends in /${flags}, write it without the leading slash)`);
  if (pattern === '') throw new ConditionError('`output` needs a regular expression, e.g. `output=listening on`');
  try {
    new RegExp(pattern, flags);
  } catch (err) {
    throw new ConditionError(`\`output\`: not a valid regular expression: ${(err as Error).message}`);
  }
  const hazard = regexHazard(pattern);
  if (hazard) throw new ConditionError(`\`output\`: refused ${hazard}`);
  return { kind: 'output', pattern, flags };
}

function tcpCondition(v: string): Condition {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(.+)$/.exec(v);
  if (!m) return { kind: 'tcp', host: '127.0.0.1', port: port(v, 'tcp') };
  const host = (m[1] ?? m[2] ?? '').trim();
  if (host === '') throw new ConditionError('`tcp` needs [HOST:]PORT, e.g. `tcp=127.0.0.1:5432`');
  return { kind: 'tcp', host, port: port(m[3]!, 'tcp') };
}

function httpCondition(v: string): Condition {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConditionError(`\`http\` needs a URL such as http://127.0.0.1:8080/health, not \`${v}\``);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConditionError(`\`http\` checks http:// and https:// URLs, not \`${v}\`${/^[\w.-]+:\d+/.test(v) ? ` (did you mean http://${v}?)` : ''}`);
  }
  // A probe's URL is shown by status and sent with certificate checks off: no credentials in it.
  if (url.username || url.password) throw new ConditionError('`http`: a probe URL must not carry a user name or password (it is shown by status and sent unverified)');
  return { kind: 'http', url: url.href };
}

function port(v: string, kind: ConditionKind): number {
  const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConditionError(`\`${kind}\`: a port is a number from 1 to 65535, not \`${v}\``);
  return n;
}
