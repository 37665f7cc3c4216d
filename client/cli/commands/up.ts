import { clientEnvironment } from '../../client-env.js';
import type { ProcdClient } from '../../index.js';
import { trackParams } from '../../project/entry-params.js';
import { planUp, type UpStep } from '../../project/plan.js';
import type { Project } from '../../project/load-project.js';
import { flag, type CommandDef } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { liveJobs, openProject } from '../project-args.js';
import { stopLayer } from './down.js';

/** One line of `up`'s answer per entry. */
export interface UpReport {
  entry: string;
  name: string;
  action: 'started' | 'unchanged' | 'restarted';
  /** The job now running the entry. */
  id: number | null;
  /** The job stopped for it (restarted). */
  replaced?: number;
  /** The fields that changed (null: unknown); absent when restarted for a dependency. */
  changed?: string[] | null;
  /** Restarted because this entry, which it waits for, was. */
  dependency?: string;
}

/** up: start what a project file declares and is not running; restart what changed, and what waits for it. */
export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    const { project, names, entries } = await openProject(positionals);
    const c = await client();
    const plan = planUp(entries, await liveJobs(c, project.name), names);
    await refineEnvChanges(c, project, plan.steps);
    const ids = new Map<string, number>();
    if (!flag(values, 'dry-run')) {
      for (const layer of plan.stop) await stopLayer(c, layer.map((j) => j.id));
      const baseEnv = clientEnvironment();
      for (const layer of plan.start) {
        const started = await Promise.all(
          layer.map((entry) => {
            const e = project.entries.get(entry)!;
            return c.track(trackParams(e.normal, { project: project.name, entry, file: project.file, hash: e.hash }, baseEnv));
          }),
        );
        started.forEach((job, i) => ids.set(layer[i]!, job.id));
      }
    }
    const report = plan.steps.map((s) => reportOf(project.name, s, ids.get(s.entry) ?? null));
    const undeclared = plan.undeclared.map((j) => ({ entry: j.entry, name: `${project.name}/${j.entry}`, id: j.id }));
    if (out.json) out.printJson({ project: project.name, file: project.file, dryRun: flag(values, 'dry-run'), entries: report, undeclared });
    else {
      const width = Math.max(...report.map((r) => r.name.length));
      for (const r of report) out.out(`${r.name.padEnd(width)}  ${describe(r)}`);
      for (const u of undeclared) out.err(`${u.name}: no longer in ${project.file}; left running (procd kill ${u.id} stops it)`);
      if (report.every((r) => r.action === 'unchanged')) out.out(`${project.name}: nothing to do (every entry runs as written)`);
    }
    return EXIT.ok;
  },
};

function reportOf(project: string, s: UpStep, id: number | null): UpReport {
  const name = `${project}/${s.entry}`;
  if (s.action === 'start') return { entry: s.entry, name, action: 'started', id };
  if (s.action === 'unchanged') return { entry: s.entry, name, action: 'unchanged', id: s.id };
  return { entry: s.entry, name, action: 'restarted', id, replaced: s.id, ...(s.dependency ? { dependency: s.dependency } : { changed: s.changed }) };
}

function describe(r: UpReport): string {
  const id = r.id === null ? '' : ` (job ${r.id})`;
  if (r.action !== 'restarted') return `${r.action}${id}`;
  const why = r.dependency ? `it waits for ${r.dependency}` : r.changed === null || r.changed === undefined ? 'changed' : `changed: ${r.changed.join(', ')}`;
  return `restarted (${why})${id}`;
}

/** `env` changed: name the variables (the job's own values, from status, against the file's). */
async function refineEnvChanges(c: ProcdClient, project: Project, steps: UpStep[]): Promise<void> {
  for (const s of steps) {
    if (s.action !== 'restart' || !s.changed?.includes('env')) continue;
    const env = (await c.status({ job: s.id, env: true })).spec.env ?? {};
    const declared = project.entries.get(s.entry)!.normal.env;
    const keys = Object.keys(declared).filter((k) => env[k] !== declared[k]).sort().map((k) => `env.${k}`);
    if (keys.length) s.changed.splice(s.changed.indexOf('env'), 1, ...keys);
  }
}
