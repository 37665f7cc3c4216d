import { str, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { formatAnalyze } from '../format-analyze.js';
import { durationOption } from '../parse.js';

/** analyze: a briefing on what is slow, stuck, failing or running twice, and what to do (--json: the report). */
export const command: CommandDef = {
  async run({ values, out, client }) {
    const sinceMs = durationOption('since', str(values, 'since'), { min: 1 });
    const report = await (await client()).analyze(sinceMs !== undefined ? { sinceMs } : {});
    if (out.json) out.printJson(report);
    else out.out(formatAnalyze(report, out).join('\n'));
    return EXIT.ok;
  },
};
