// Parses Prometheus text exposition with a real parser: Debian's python3-prometheus-client
// (text_string_to_metric_families), run by the system's python (/usr/bin/python3: a pyenv python
// on PATH does not see Debian's packages). .ci/run installs it when missing.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface ParsedFamily {
  name: string;
  type: string;
  documentation: string;
  samples: ParsedSample[];
}

const SCRIPT = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for f in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": f.name, "type": f.type, "documentation": f.documentation,
                "samples": [{"name": s.name, "labels": s.labels, "value": s.value if math.isfinite(s.value) else str(s.value)} for s in f.samples]})
print(json.dumps(out))
`;

/** Why the parser cannot run here, or null when it can. */
export function prometheusParserMissing(): string | null {
  if (!existsSync(SYSTEM_PYTHON)) return `${SYSTEM_PYTHON} is missing (apt-get install python3 python3-prometheus-client; .ci/run does)`;
  const r = spawnSync(SYSTEM_PYTHON, ['-c', 'import prometheus_client'], { encoding: 'utf8' });
  return r.status === 0 ? null : `python3-prometheus-client is not installed (apt-get install python3-prometheus-client; .ci/run does): ${r.stderr.trim().split('\n').at(-1)}`;
}

/** The families as the parser reads them; throws with the parser's message on a malformed text. */
export function parsePrometheusText(text: string): ParsedFamily[] {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', SCRIPT], { input: text, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`the Prometheus parser refused the text: ${r.stderr.trim().split('\n').at(-1)}`);
  return JSON.parse(r.stdout) as ParsedFamily[];
}
