// Reads a project file's text with the `yaml` package (eemeli; JSON is YAML too, so procd.json goes
// the same way) keeping the source position of every node, so a problem can be reported as
// "procd.yaml:7: jobs.worker.max_memory: …". Loaded by `procd up` / `down` only (cli.js), never on
// the CLI's hot path.

import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

export type PathKey = string | number;

export interface YamlSource {
  /** The plain data (maps → objects, sequences → arrays, scalars → values). */
  data: unknown;
  /** The line (1-based) of what `path` names: a mapping key's own line, an item's line; the nearest existing ancestor's when absent. */
  lineOf(path: readonly PathKey[]): number;
}

export class SourceError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** Parses `text`; a syntax error, a duplicate key or an alias loop is a SourceError with its line. */
export function readYaml(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) throw new SourceError(lineCounter.linePos(first.pos[0]).line, first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''));
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : lineCounter.linePos(offset).line);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new SourceError(1, e instanceof Error ? e.message : String(e));
  }
  return {
    data,
    lineOf(path) {
      let node: unknown = doc.contents;
      let line = lineAt((doc.contents as Node | null)?.range?.[0]);
      for (const key of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
          if (!pair) break;
          line = lineAt((pair.key as Node).range?.[0]);
          node = pair.value;
        } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
          node = node.items[key];
          line = lineAt((node as Node).range?.[0]);
        } else break;
      }
      return line;
    },
  };
}
