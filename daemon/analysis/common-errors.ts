// Common errors: the error signatures found in the period's runs (daemon/history/error-signatures.ts),
// counted per signature and detail (EADDRINUSE on port 3000 and on 8080 are two rows), with an
// example line, the latest runs they came from and the commands that produced them.

import type { CommonError, JobRef } from '../../shared/analyze.js';
import { runRefAt } from './input.js';
import { runTable, type Runs } from './runs.js';

const MAX_RUNS = 10;
const MAX_COMMANDS = 5;

interface Acc {
  signature: string;
  detail: string | null;
  count: number;
  example: string;
  /** The latest runs, oldest first (reversed at the end). */
  runs: JobRef[];
  commands: Map<string, number>;
  lastAt: number;
}

export function commonErrors(input: Runs): CommonError[] {
  const runs = runTable(input);
  // Signature, then detail: no key string built per error.
  const bySig = new Map<string, Map<string | null, Acc>>();
  const all: Acc[] = [];
  for (let i = 0; i < runs.length; i++) {
    const errors = runs.errors(i);
    if (!errors.length) continue;
    const endedAt = runs.endedAt(i);
    const command = runs.command(i);
    for (const e of errors) {
      let details = bySig.get(e.signature);
      if (!details) bySig.set(e.signature, (details = new Map()));
      let acc = details.get(e.detail);
      if (!acc) {
        acc = { signature: e.signature, detail: e.detail, count: 0, example: e.line, runs: [], commands: new Map(), lastAt: 0 };
        details.set(e.detail, acc);
        all.push(acc);
      }
      acc.count++;
      acc.example = e.line;
      acc.lastAt = Math.max(acc.lastAt, endedAt);
      acc.runs.push(runRefAt(runs, i));
      if (acc.runs.length > MAX_RUNS) acc.runs.shift();
      acc.commands.set(command, (acc.commands.get(command) ?? 0) + 1);
    }
  }
  return all
    .map((a) => ({
      signature: a.signature,
      detail: a.detail,
      count: a.count,
      example: a.example,
      runs: a.runs.reverse(),
      commands: [...a.commands.entries()].sort((x, y) => y[1] - x[1]).slice(0, MAX_COMMANDS).map(([c]) => c),
      lastAt: a.lastAt,
    }))
    .sort((a, b) => b.count - a.count || b.lastAt - a.lastAt);
}
