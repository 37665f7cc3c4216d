import { renderMetricsText } from '../../../shared/metrics.js';
import { str, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { intOption } from '../parse.js';

/** metrics: the daemon's Prometheus metrics as the text exposition format (--json: the families). */
export const command: CommandDef = {
  async run({ values, out, client }) {
    const topJobs = intOption('top', str(values, 'top'), { min: 0, max: 1000 });
    const { families } = await (await client()).metrics(topJobs !== undefined ? { topJobs } : {});
    if (out.json) out.printJson(families);
    else out.out(renderMetricsText(families));
    return EXIT.ok;
  },
};
