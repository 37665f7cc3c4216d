import { str, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { HISTORY_HEADERS, historyRow } from '../format-history.js';
import { table } from '../output.js';
import { durationOption, intOption, jobRef } from '../parse.js';

/** history: recorded runs, newest first (all, or one job's / name's). */
export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    if (positionals.length > 1) throw new ExitError(EXIT.usage, `unexpected argument: ${positionals[1]}`);
    const sinceMs = durationOption('since', str(values, 'since'));
    const limit = intOption('limit', str(values, 'limit'), { min: 1, max: 10_000 });
    const ref = positionals[0];
    const r = await (await client()).history({
      ...(ref !== undefined ? { job: jobRef(ref) } : {}),
      ...(sinceMs !== undefined ? { since: Date.now() - sinceMs } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    if (out.json) {
      out.printJson(r);
      return EXIT.ok;
    }
    if (r.runs.length === 0) {
      out.out(r.total === 0 ? 'no runs recorded yet' : 'no recorded run matches');
      return EXIT.ok;
    }
    const now = Date.now();
    out.out(table(HISTORY_HEADERS, r.runs.map((run) => historyRow(run, now)), out.width));
    if (r.runs.length < r.total && ref === undefined) out.out(`${r.runs.length} of ${r.total} recorded runs (--limit N, --since D, or a job for others)`);
    return EXIT.ok;
  },
};
