// progress: a job reports how far it is, from inside (it finds its job from PROCD_JOB_ID).
// Silent on success: whatever it printed would land in the job's own log.

import { progressProblem, type ProgressReport } from '../../../shared/progress.js';
import type { JobRef } from '../../../shared/methods.js';
import { str, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { jobRef } from '../parse.js';

export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    if (positionals.length !== 1) throw new ExitError(EXIT.usage, 'give one PERCENT (0..100), or DONE with --total N (procd progress 67 --total 200)');
    const totalText = str(values, 'total');
    const report: ProgressReport = {
      done: amount(positionals[0]!, 'PERCENT|DONE', totalText === undefined),
      total: totalText === undefined ? null : amount(totalText, '--total', false),
    };
    const phase = str(values, 'phase');
    if (phase !== undefined) report.phase = phase;
    const problem = progressProblem(report);
    if (problem) throw new ExitError(EXIT.usage, problem);
    const r = await (await client()).progress({ ...report, ...target(str(values, 'job'), process.env) });
    if (out.json) out.printJson(r);
    return EXIT.ok;
  },
};

/** A number as typed: `67`, `33.5`, and with `percentSign` also `67%`. */
function amount(text: string, what: string, percentSign: boolean): number {
  const digits = percentSign ? text.replace(/%$/, '') : text;
  if (text.startsWith('-') && /^-\d+(\.\d+)?$/.test(digits)) throw new ExitError(EXIT.usage, `${what}: "${text}" is negative: progress is 0..100 (a percentage) or 0..TOTAL (with --total)`);
  if (!/^\d+(\.\d+)?$/.test(digits)) throw new ExitError(EXIT.usage, `${what}: "${text}" is not a number (examples: 67, 33.5${percentSign ? ', 67%' : ''})`);
  return Number(digits);
}

/** The job given with --job, else the one this runs in (PROCD_JOB_ID, with its PROCD_INSTANCE so another home's job is refused). */
function target(given: string | undefined, env: NodeJS.ProcessEnv): { job: JobRef; instance?: string } {
  if (given !== undefined) return { job: jobRef(given) };
  const id = env.PROCD_JOB_ID;
  if (!id) throw new ExitError(EXIT.usage, 'not inside a procd job (PROCD_JOB_ID is not set): run it from a job procd started, or give --job ID|NAME');
  if (!/^\d+$/.test(id)) throw new ExitError(EXIT.usage, `PROCD_JOB_ID="${id}" is not a job id: give --job ID|NAME`);
  return { job: Number(id), ...(env.PROCD_INSTANCE ? { instance: env.PROCD_INSTANCE } : {}) };
}
