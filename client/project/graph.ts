// The `after` graph of a project's entries (short names → the short names each waits for): cycles,
// the order to start in (layers), and the closures `up NAME` and `down NAME` act on. Pure.

export type Deps = ReadonlyMap<string, readonly string[]>;

/** A cycle as the names along it (`a → b → a` is ['a', 'b', 'a']), or null. */
export function findCycle(deps: Deps): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of deps.get(name) ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return null;
  };
  for (const name of deps.keys()) {
    const found = visit(name);
    if (found) return found;
  }
  return null;
}

/** `names` in layers: each layer waits only for earlier ones (dependencies outside `names` are ignored). Assumes no cycle. */
export function startLayers(names: Iterable<string>, deps: Deps): string[][] {
  const set = new Set(names);
  const depth = new Map<string, number>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const d = Math.max(-1, ...(deps.get(name) ?? []).filter((x) => set.has(x)).map(depthOf)) + 1;
    depth.set(name, d);
    return d;
  };
  const layers: string[][] = [];
  for (const name of set) (layers[depthOf(name)] ??= []).push(name);
  return layers.filter(Boolean);
}

/** `names` in layers to stop: each layer holds what nothing left in `names` waits for (dependants first). */
export function stopLayers(names: Iterable<string>, deps: Deps): string[][] {
  return startLayers(names, reverse(deps));
}

/** Who waits for whom, turned around: name → the names that wait for it. */
export function reverse(deps: Deps): Map<string, string[]> {
  const out = new Map<string, string[]>([...deps.keys()].map((k) => [k, []]));
  for (const [name, list] of deps) for (const dep of list) out.get(dep)?.push(name);
  return out;
}

/** `start` and everything reachable from it through `edges`. */
export function closure(start: Iterable<string>, edges: Deps): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    todo.push(...(edges.get(name) ?? []));
  }
  return seen;
}
