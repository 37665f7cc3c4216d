import { JOB_STATE_KINDS, type JobStateKind } from '../../../shared/job.js';
import type { ParamsOf } from '../../../shared/methods.js';
import { flag, str, strs, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { renderLs } from '../ls-table.js';
import { paint } from '../output.js';

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
    const c = await client();
    // Only the default view hides older finished jobs; the count comes from the same filter (a
    // daemon too old to count leaves the note out rather than failing ls).
    const hides = !out.json && !params.all && !params.states;
    const [jobs, counted] = await Promise.all([c.list(params), hides ? c.count(params).catch(() => null) : null]);
    if (out.json) {
      out.printJson(jobs);
      return EXIT.ok;
    }
    const hiddenFinished = counted?.hiddenFinished ?? 0;
    if (jobs.length === 0 && hiddenFinished === 0) {
      out.out('no jobs');
      return EXIT.ok;
    }
    const lines = renderLs(jobs, { now: Date.now(), width: out.width, tty: process.stdout.isTTY === true, wide: flag(values, 'wide'), tree: flag(values, 'tree'), hiddenFinished, paint: (color, text) => paint(out, color, text) });
    out.out(lines.join('\n'));
    return EXIT.ok;
  },
};
