import { clientLabel, type AuditRecord } from '../../../shared/audit.js';
import { strs, str, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { localTime } from '../format-time.js';
import { paint, table, type Output } from '../output.js';
import { durationOption, intOption } from '../parse.js';

/** audit: who did what, newest first (--json: the records as the daemon keeps them). */
export const command: CommandDef = {
  async run({ values, out, client }) {
    const sinceMs = durationOption('since', str(values, 'since'));
    const limit = intOption('limit', str(values, 'limit'), { min: 1, max: 100_000 });
    const methods = strs(values, 'method');
    const records = await (await client()).audit({
      ...(sinceMs !== undefined ? { since: Date.now() - sinceMs } : {}),
      ...(methods.length ? { methods } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    if (out.json) out.printJson(records);
    else printAudit(out, records);
    return EXIT.ok;
  },
};

function printAudit(out: Output, records: readonly AuditRecord[]): void {
  if (!records.length) {
    out.out('no audited calls');
    return;
  }
  const rows = records.map(auditRow);
  out.out(table(['TIME', 'METHOD', 'RESULT', 'CLIENT', 'PARAMS'], rows, out.width, (row, col, text) => (col === 2 && !records[row]!.result.ok ? paint(out, 'red', text) : text)));
}

/** One line of the human view: time, method, result, who, params. */
export function auditRow(r: AuditRecord): string[] {
  return [localTime(r.at), r.method, resultText(r.result), clientLabel(r.client), paramsText(r.params)];
}

function resultText(result: AuditRecord['result']): string {
  if (!result.ok) return result.error;
  const failed = (result.failed ?? []).map((f) => `${f.ref}: ${f.error}`);
  const done = result.jobs.length ? `ok ${result.jobs.join(',')}` : result.group !== undefined ? `ok ${result.group}` : failed.length ? null : 'ok';
  return [...(done ? [done] : []), ...failed].join('; ');
}


/** `jobs=[3] graceMs=5000 env=(2 names)`: compact; the environment's names are many and come last (--json lists them). */
export function paramsText(params: Record<string, unknown>): string {
  const { envKeys, ...rest } = params;
  const shown = Object.entries(rest).map(([k, v]) => `${k}=${valueText(v)}`);
  if (Array.isArray(envKeys)) shown.push(`env=(${envKeys.length} names)`);
  return shown.join(' ');
}

function valueText(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(',')}]`;
  return JSON.stringify(v);
}
