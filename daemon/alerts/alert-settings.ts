// Where alert rules come from: alerts.json in the daemon's home (PROCD_ALERTS_FILE overrides the
// path), else the defaults below; the notify command from PROCD_ON_ALERT, else the file's
// `onAlert`. A file that does not parse is reported (daemon status warnings) and the defaults
// apply: a typo never leaves the daemon without alerts, nor stops it.
//
//   { "onAlert": "notify-send procd \"$PROCD_ALERT_SUMMARY\"", "notifyTimeout": "10s",
//     "rules": [ { "name": "stuck", "when": "flag", "flags": ["stuck"], "severity": "warning", "cooldown": "10m" },
//                { "name": "failing", "when": "failure-rate", "over": 0.5, "within": "10m", "minRuns": 3, "severity": "critical" } ] }

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { ALERT_CONDITIONS, ALERT_SEVERITIES, type AlertRule } from '../../shared/alerts.js';
import { parseDuration } from '../../shared/duration.js';
import { FLAG_KINDS } from '../../shared/job.js';
import { parseAt } from '../../shared/schemas/valid.js';

export const DEFAULT_COOLDOWN_MS = 5 * 60_000;
export const DEFAULT_NOTIFY_TIMEOUT_MS = 10_000;

/** Without a file: every flag, every limit exceeded, every lost job, and more than half of 3+ runs failing within 10 minutes. */
export const DEFAULT_RULES: readonly AlertRule[] = [
  { name: 'flag', when: 'flag', severity: 'warning', cooldownMs: DEFAULT_COOLDOWN_MS },
  { name: 'limit', when: 'limit', severity: 'critical', cooldownMs: DEFAULT_COOLDOWN_MS },
  { name: 'lost', when: 'lost', severity: 'critical', cooldownMs: DEFAULT_COOLDOWN_MS },
  { name: 'failure-rate', when: 'failure-rate', over: 0.5, withinMs: 10 * 60_000, minRuns: 3, severity: 'critical', cooldownMs: 30 * 60_000 },
];

export interface AlertSettings {
  rules: readonly AlertRule[];
  /** A shell command run for each alert (null: none). */
  onAlert: string | null;
  notifyTimeoutMs: number;
  /** Problems with the file, for the daemon's log and `daemon status`. */
  warnings: string[];
}

const duration = v.pipe(
  v.string('a duration such as 10m'),
  v.check((t) => parseDuration(t) !== null, 'a duration such as 10m'),
  v.transform((t) => parseDuration(t)!),
);
const ruleSchema = v.strictObject({
  name: v.pipe(v.string('a rule name'), v.minLength(1, 'a rule name'), v.maxLength(100, 'a rule name of at most 100 characters')),
  when: v.picklist(ALERT_CONDITIONS, `one of ${ALERT_CONDITIONS.join(', ')}`),
  severity: v.optional(v.picklist(ALERT_SEVERITIES, `one of ${ALERT_SEVERITIES.join(', ')}`)),
  cooldown: v.optional(duration),
  flags: v.optional(v.array(v.picklist(FLAG_KINDS, `one of ${FLAG_KINDS.join(', ')}`))),
  over: v.optional(v.pipe(v.number('a fraction from 0 to 1'), v.minValue(0, 'a fraction from 0 to 1'), v.maxValue(1, 'a fraction from 0 to 1'))),
  within: v.optional(duration),
  minRuns: v.optional(v.pipe(v.number('a run count'), v.integer('a run count'), v.minValue(1, 'a run count of at least 1'))),
});
const fileSchema = v.strictObject({
  onAlert: v.optional(v.pipe(v.string('a shell command'), v.minLength(1, 'a shell command'))),
  notifyTimeout: v.optional(duration),
  rules: v.optional(v.array(ruleSchema)),
});

/** The settings from a file's text (null: no file) and the environment. Pure, for tests. */
export function alertSettings(fileText: string | null, env: NodeJS.ProcessEnv, fileName = 'alerts.json'): AlertSettings {
  const warnings: string[] = [];
  let file: v.InferOutput<typeof fileSchema> = {};
  if (fileText !== null) {
    let raw: unknown;
    try {
      raw = JSON.parse(fileText);
    } catch (err) {
      warnings.push(`${fileName}: not valid JSON (${(err as Error).message}); using the default alert rules`);
    }
    if (raw !== undefined) {
      const parsed = parseAt(fileSchema, raw, '');
      if (parsed.ok) file = parsed.value;
      else warnings.push(`${fileName}: ${parsed.issue.path.replace(/^\./, '') || 'the top level'}: expected ${parsed.issue.expected}; using the default alert rules`);
    }
  }
  const rules = file.rules ? file.rules.map(toRule) : DEFAULT_RULES;
  const onAlert = env.PROCD_ON_ALERT || file.onAlert || null;
  return { rules, onAlert, notifyTimeoutMs: file.notifyTimeout ?? DEFAULT_NOTIFY_TIMEOUT_MS, warnings };
}

function toRule(r: v.InferOutput<typeof ruleSchema>): AlertRule {
  const base = { name: r.name, severity: r.severity ?? 'warning', cooldownMs: r.cooldown ?? DEFAULT_COOLDOWN_MS };
  switch (r.when) {
    case 'flag':
      return { ...base, when: 'flag', ...(r.flags ? { flags: r.flags } : {}) };
    case 'failure-rate':
      return { ...base, when: 'failure-rate', over: r.over ?? 0.5, withinMs: r.within ?? 10 * 60_000, minRuns: r.minRuns ?? 3 };
    case 'limit':
      return { ...base, when: 'limit' };
    case 'lost':
      return { ...base, when: 'lost' };
  }
}

/** Reads the settings file of this home (or PROCD_ALERTS_FILE). */
export function loadAlertSettings(home: string, env: NodeJS.ProcessEnv = process.env): AlertSettings {
  const file = env.PROCD_ALERTS_FILE || join(home, 'alerts.json');
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { ...alertSettings(null, env), warnings: [`${file}: cannot be read (${(err as Error).message}); using the default alert rules`] };
  }
  return alertSettings(text, env, file);
}
