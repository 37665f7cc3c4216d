// A job's process tree (GET /api/jobs/:id?tree=true gives a flat list with ppids) as rows in
// depth-first order with their depth. Pure: no DOM.

export interface ProcessNode {
  pid: number;
  ppid: number;
  state: string;
  cpuPercent: number | null;
  rssBytes: number;
  command: string;
}

/** Roots are the processes whose parent is not in the list; children follow their parent, by pid. */
export function treeRows<T extends ProcessNode>(nodes: readonly T[]): { node: T; depth: number }[] {
  const pids = new Set(nodes.map((n) => n.pid));
  const children = new Map<number, T[]>();
  for (const n of nodes) children.set(n.ppid, [...(children.get(n.ppid) ?? []), n]);
  const out: { node: T; depth: number }[] = [];
  const seen = new Set<number>();
  const walk = (n: T, depth: number) => {
    if (seen.has(n.pid)) return; // a pid reused mid-read must not loop
    seen.add(n.pid);
    out.push({ node: n, depth });
    for (const c of (children.get(n.pid) ?? []).sort((a, b) => a.pid - b.pid)) walk(c, depth + 1);
  };
  for (const root of nodes.filter((n) => !pids.has(n.ppid)).sort((a, b) => a.pid - b.pid)) walk(root, 0);
  return out;
}
