import { ErrorCode } from '../../../shared/errors.js';
import { TERMINAL_STATES } from '../../../shared/job.js';
import type { JobRef, KillOutcome } from '../../../shared/methods.js';
import type { ProcdClient } from '../../index.js';
import { planDown } from '../../project/plan.js';
import type { CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { openProject } from '../project-args.js';

/** Stops `refs` (each job with its own stop signal and grace), returns once every one stopped has ended, with kill's answer for each. */
export async function stopLayer(c: ProcdClient, refs: JobRef[]): Promise<KillOutcome[]> {
  if (!refs.length) return [];
  const killed = await c.kill({ jobs: refs });
  // kill answers once its stop is done: most have ended by then; wait for the rest (a failure is a job already over).
  const pending = killed.flatMap((k) => (k.ok && !(TERMINAL_STATES as readonly string[]).includes(k.state) ? [k.id] : []));
  if (pending.length) await c.wait({ jobs: pending });
  return killed;
}

/** An entry with no live job: its name names no job, or only ones already over. Nothing to stop. */
const nothingLive = (k: KillOutcome) => !k.ok && (k.error.code === ErrorCode.JobNotFound || k.error.code === ErrorCode.JobNotRunning);

/**
 * down: stop a project file's live jobs, dependants first, layer by layer. Each layer is one kill
 * of its entries' job names (a live name is unique: PROJECT/ENTRY is that entry's live job), so
 * down needs no list of the project's jobs, whose answer grows with the project's history.
 */
export const command: CommandDef = {
  async run({ positionals, out, client }) {
    const { project, names, entries } = await openProject(positionals);
    const c = await client();
    const stopped: { entry: string; name: string; id: number }[] = [];
    const failed: { name: string; message: string }[] = [];
    for (const layer of planDown(entries, names)) {
      const killed = await stopLayer(
        c,
        layer.map((entry) => `${project.name}/${entry}`),
      );
      killed.forEach((k, i) => {
        const name = `${project.name}/${layer[i]!}`;
        if (k.ok) stopped.push({ entry: layer[i]!, name, id: k.id });
        else if (!nothingLive(k)) failed.push({ name, message: k.error.message });
      });
    }
    if (out.json) out.printJson({ project: project.name, file: project.file, stopped, ...(failed.length ? { failed } : {}) });
    else if (!stopped.length && !failed.length) out.out(`${project.name}: nothing to stop (no live job of this file's entries)`);
    else {
      const width = Math.max(...stopped.map((s) => s.name.length));
      for (const s of stopped) out.out(`${s.name.padEnd(width)}  stopped (job ${s.id})`);
    }
    if (!out.json) for (const f of failed) out.err(`procd down: ${f.name}: not stopped: ${f.message}`);
    return failed.length ? EXIT.error : EXIT.ok;
  },
};
