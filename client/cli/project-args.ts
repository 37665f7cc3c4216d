// What `procd up` and `procd down` share: [FILE] [NAME...] → the loaded project (every problem of
// the file as a usage error, before anything is called), and the project's live jobs.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isTerminal, JOB_STATE_KINDS, TERMINAL_STATES, type JobStateKind } from '../../shared/job.js';
import { resolvePaths } from '../../shared/paths.js';
import type { ProcdClient } from '../index.js';
import { DEFAULT_FILES, findProjectFile } from '../project/default-files.js';
import type { Project } from '../project/load-project.js';
import { buildIdOf, readCachedProject, writeCachedProject } from '../project/project-cache.js';
import type { LiveJob, PlanEntry } from '../project/plan.js';
import { EXIT, ExitError } from './exit-codes.js';

/** The first word is the FILE when it reads as a path (a "/", a .yaml/.yml/.json ending) or is a file here; the rest are entry names. */
export function splitProjectArgs(positionals: readonly string[], cwd: string): { file: string | undefined; names: string[] } {
  const [first, ...rest] = positionals;
  if (first === undefined) return { file: undefined, names: [] };
  const isFile = first.includes('/') || /\.(ya?ml|json)$/i.test(first) || statSync(first, { throwIfNoEntry: false })?.isFile() === true;
  return isFile ? { file: first, names: rest } : { file: undefined, names: [...positionals] };
}

/**
 * The project `positionals` name, loaded: from the cache (project-cache.ts) when neither the file
 * nor its env files nor procd changed since a load succeeded, else from the file (and cached).
 */
export async function openProject(positionals: readonly string[], cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<{ project: Project; names: string[]; entries: PlanEntry[] }> {
  const { file: given, names } = splitProjectArgs(positionals, cwd);
  const file = findProjectFile(cwd, given);
  if (file === null) throw new ExitError(EXIT.usage, `no project file here (${DEFAULT_FILES.join(', ')}): give FILE`);
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // loadProject reports it, with the file's name as the user gave it
  }
  const home = resolvePaths(env).home;
  const cacheDir = join(home, 'cache', 'projects');
  const build = buildIdOf(process.argv[1]);
  let project = text === undefined ? null : readCachedProject(cacheDir, file, text, build);
  if (!project) {
    // Only on a miss: the YAML parser and the schemas are the larger part of up's and down's start-up.
    const { loadProject, ProjectFileError } = await import('../project/load-project.js');
    try {
      project = loadProject(file, cwd, text);
    } catch (e) {
      if (e instanceof ProjectFileError) throw new ExitError(EXIT.usage, e.message, { file });
      throw e;
    }
    if (text !== undefined) writeCachedProject(cacheDir, project, text, build, home);
  }
  const unknown = names.filter((n) => !project.entries.has(n));
  if (unknown.length) throw new ExitError(EXIT.usage, `no entry ${unknown.map((n) => `"${n}"`).join(', ')} in ${file} (entries: ${[...project.entries.keys()].join(', ')})`);
  const entries = [...project.entries.values()].map((e) => ({ name: e.name, hash: e.hash, deps: e.deps, normal: e.normal }));
  return { project, names, entries };
}

const UP_STATES: JobStateKind[] = JOB_STATE_KINDS.filter((k) => k === 'completed' || !TERMINAL_STATES.includes(k));

/** The project's jobs that are not over, with the entry and hash they were started from. */
export async function liveJobs(client: ProcdClient, project: string): Promise<LiveJob[]> {
  // Not every finished run of the project's long life (a list that only grew): the live ones and
  // the completed ones, of which a task's latest says it is done.
  const jobs = await client.list({ project, states: UP_STATES });
  return jobs.flatMap((j) => {
    const d = j.spec.declared;
    if (!d || d.project !== project) return [];
    if (!isTerminal(j.state)) return [{ id: j.id, entry: d.entry, hash: d.hash }];
    // A completed task stays done: `up` runs it again only when its entry changed.
    return j.state.kind === 'completed' && j.spec.kind === 'task' ? [{ id: j.id, entry: d.entry, hash: d.hash, done: true }] : [];
  });
}
