// Records written by older versions, brought to today's job model before they are checked. Pure:
// raw JSON in, raw JSON out; anything it does not recognise is left for the record check to refuse.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * - `queued` used to mean "the shim is launching it" (no `reason`): that is `starting` now.
 * - Terminal states gained `outcome` and `outcomeDetail` (outcomes.ts), derived from the state.
 */
export function upgradeJobRecord(value: unknown): unknown {
  if (!isObj(value) || !isObj(value.state)) return value;
  const state = value.state;
  if (state.kind === 'queued' && state.reason === undefined) {
    return { ...value, state: { kind: 'starting', since: typeof state.queuedAt === 'number' ? state.queuedAt : value.createdAt } };
  }
  if (state.outcome === undefined) {
    const outcome = outcomeOf(state);
    if (outcome) return { ...value, state: { ...state, outcome, outcomeDetail: null } };
  }
  return value;
}

function outcomeOf(state: Obj): string | null {
  switch (state.kind) {
    case 'completed':
      return 'exit';
    case 'failed':
      return isObj(state.spawnError) ? 'spawn_error' : 'exit';
    case 'killed':
      return 'signal';
    case 'timed_out':
      return 'timeout';
    case 'lost':
      return 'vanished';
    default:
      return null;
  }
}
