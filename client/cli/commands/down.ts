import { TERMINAL_STATES } from '../../../shared/job.js';
import type { ProcdClient } from '../../index.js';
import { planDown } from '../../project/plan.js';
import type { CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { liveJobs, openProject } from '../project-args.js';

/** Stops `ids` (each with its own stop signal and grace) and returns once every one has ended. */
export async function stopLayer(c: ProcdClient, ids: number[]): Promise<void> {
  if (!ids.length) return;
  const killed = await c.kill({ jobs: ids });
  // kill answers once its stop is done: most have ended by then; wait for the rest (a failure is a job already over).
  const pending = killed.flatMap((k) => (k.ok && !(TERMINAL_STATES as readonly string[]).includes(k.state) ? [k.id] : []));
  if (pending.length) await c.wait({ jobs: pending });
}

/** down: stop a project file's live jobs, dependants first, layer by layer. */
export const command: CommandDef = {
  async run({ positionals, out, client }) {
    const { project, names, entries } = await openProject(positionals);
    const c = await client();
    const layers = planDown(entries, await liveJobs(c, project.name), names);
    for (const layer of layers) await stopLayer(c, layer.map((j) => j.id));
    const stopped = layers.flat().map((j) => ({ entry: j.entry, name: `${project.name}/${j.entry}`, id: j.id }));
    if (out.json) out.printJson({ project: project.name, file: project.file, stopped });
    else if (!stopped.length) out.out(`${project.name}: nothing to stop (no live job of this file's entries)`);
    else {
      const width = Math.max(...stopped.map((s) => s.name.length));
      for (const s of stopped) out.out(`${s.name.padEnd(width)}  stopped (job ${s.id})`);
    }
    return EXIT.ok;
  },
};
