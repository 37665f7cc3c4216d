// Conditions on the wire (shared/conditions.ts): a caller may send the text a user types
// (`"http=http://127.0.0.1:8080/health"`) or the parsed object; both are checked by the one parser
// and stored as the object.

import * as v from 'valibot';
import { JOB_STATE_KINDS } from '../job.js';
import { conditionText, PROBE_CONDITIONS, WAIT_CONDITIONS, type Condition, type ConditionKind, type ProbeCondition } from '../conditions.js';
import { ConditionError, parseCondition } from '../condition-parser.js';

const num = v.number();

const probeObjects = [
  v.object({ kind: v.literal('output'), pattern: v.string(), flags: v.string() }),
  v.object({ kind: v.literal('listen'), port: v.nullable(num) }),
  v.object({ kind: v.literal('tcp'), host: v.string(), port: num }),
  v.object({ kind: v.literal('http'), url: v.string() }),
  v.object({ kind: v.literal('exec'), command: v.string() }),
] as const;

/** A probe's condition as stored (already checked when the job was created). */
export const ProbeConditionSchema = v.variant('kind', [...probeObjects]);

const ConditionObjectSchema = v.variant('kind', [
  ...probeObjects,
  v.object({ kind: v.literal('exit') }),
  v.object({ kind: v.literal('ready') }),
  v.object({ kind: v.literal('quiet'), ms: num }),
  v.object({ kind: v.literal('state'), state: v.picklist(JOB_STATE_KINDS) }),
  v.object({ kind: v.literal('port-free'), port: num }),
]);

// The schemas and shared/conditions.ts describe the same values.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type ConditionSchemasMatchTypes = [Assert<Same<v.InferOutput<typeof ProbeConditionSchema>, ProbeCondition>>, Assert<Same<v.InferOutput<typeof ConditionObjectSchema>, Condition>>];

/**
 * A condition in params: text or object, of the `allowed` kinds, checked by parseCondition (an
 * object is checked by writing it back as text, so both forms obey one set of rules).
 */
export function conditionParam<K extends ConditionKind>(allowed: readonly K[]) {
  return v.pipe(
    v.union([v.string(), ConditionObjectSchema], 'a condition: KEY=VALUE text such as "http=http://127.0.0.1:8080/health", or its object form'),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      try {
        const text = typeof dataset.value === 'string' ? dataset.value : conditionText(dataset.value);
        return parseCondition(text, allowed) as Extract<Condition, { kind: K }>;
      } catch (err) {
        addIssue({ message: `a condition KEY=VALUE: ${err instanceof ConditionError ? err.message : String(err)}` });
        return NEVER;
      }
    }),
  );
}

export const probeConditionParam = conditionParam(PROBE_CONDITIONS);
export const waitConditionParam = conditionParam(WAIT_CONDITIONS);
