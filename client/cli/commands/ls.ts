import { JOB_STATE_KINDS, type JobStateKind } from '../../../shared/job.js';
import type { ParamsOf } from '../../../shared/methods.js';
import { flag, str, strs, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { commandOf, cpuText, elapsed, exitText, flagText, memText, pidText, stateColor, stateText } from '../format-job.js';
import { paint, table } from '../output.js';

/** ls: a table of jobs — running ones plus the last finished ones, or everything with --all. */
export const command: CommandDef = {
  async run({ values, out, client }) {
    const params: ParamsOf<'list'> = {};
    if (flag(values, 'all')) params.all = true;
    const states = strs(values, 'state');
    for (const s of states) {
      if (!(JOB_STATE_KINDS as readonly string[]).includes(s)) throw new ExitError(EXIT.usage, `--state: "${s}" is not one of ${JOB_STATE_KINDS.join(', ')}`);
    }
    if (states.length) params.states = states as JobStateKind[];
    const name = str(values, 'name');
    if (name) params.name = name;
    const tag = str(values, 'tag');
    if (tag) params.tag = tag;
    const jobs = await (await client()).list(params);
    if (out.json) {
      out.printJson(jobs);
      return EXIT.ok;
    }
    if (jobs.length === 0) {
      out.out('no jobs');
      return EXIT.ok;
    }
    const now = Date.now();
    const rows = jobs.map((j) => [String(j.id), j.name, stateText(j), pidText(j), elapsed(j, now), exitText(j), cpuText(j), memText(j), flagText(j), commandOf(j)]);
    out.out(
      table(['ID', 'NAME', 'STATE', 'PID', 'TIME', 'EXIT', 'CPU', 'MEM', 'FLAGS', 'COMMAND'], rows, out.width, (row, col, text) =>
        col === 2 ? paint(out, stateColor(jobs[row]!.state.kind), text) : col === 8 && text ? paint(out, 'yellow', text) : text,
      ),
    );
    return EXIT.ok;
  },
};
