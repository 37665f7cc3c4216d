import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { JOB_STATE_KINDS, type JobStateKind } from '../../../shared/job.js';
import { ErrorCode, ProcdError } from '../../../shared/errors.js';
import type { JobRow } from '../../../shared/job-row.js';
import type { ParamsOf } from '../../../shared/methods.js';
import type { ProcdClient } from '../../index.js';
import { flag, str, strs, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { renderLs } from '../ls-table.js';
import { paint } from '../output.js';
import { stdoutIsTTY } from '../stdout.js';
import { DEFAULT_FILES } from '../../project/default-files.js';
import { projectNameOf } from '../../project/project-name.js';

/** ls: a table of jobs — running ones plus the last finished ones, or everything with --all. */
export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    const params: ParamsOf<'list'> = {};
    const project = projectOption(flag(values, 'project'), positionals);
    if (project) params.project = project;
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
    const owner = str(values, 'owner');
    if (owner !== undefined) params.owner = owner;
    // Only the default view hides older finished jobs; the count comes from the same filter (a
    // daemon too old to count leaves the note out rather than failing ls).
    const hides = !out.json && !params.all && !params.states;
    // --json prints what list answers; the table needs only its rows (a third of the bytes to parse).
    const method = out.json ? 'list' : 'rows';
    // Sent right behind hello, not after its answer: one round trip less.
    const c = await client(hides ? [{ method, params }, { method: 'count', params }] : [{ method, params }]);
    if (out.json) {
      out.printJson(await c.list(params));
      return EXIT.ok;
    }
    const [jobs, counted] = await Promise.all([rowsOf(c, params), hides ? c.count(params).catch(() => null) : null]);
    const hiddenFinished = counted?.hiddenFinished ?? 0;
    if (jobs.length === 0 && hiddenFinished === 0) {
      out.out('no jobs');
      return EXIT.ok;
    }
    const lines = renderLs(jobs, { now: Date.now(), width: out.width, tty: stdoutIsTTY(), wide: flag(values, 'wide'), tree: flag(values, 'tree'), hiddenFinished, paint: (color, text) => paint(out, color, text) });
    out.out(lines.join('\n'));
    return EXIT.ok;
  },
};

/** The rows; from a daemon that predates them (MethodNotFound), its list (a row is a part of a summary). */
async function rowsOf(c: ProcdClient, params: ParamsOf<'list'>): Promise<readonly JobRow[]> {
  try {
    return await c.rows(params);
  } catch (err) {
    if (err instanceof ProcdError && err.code === ErrorCode.MethodNotFound) return c.list(params);
    throw err;
  }
}

/** `--project NAME`, or `--project` alone: the project of the file here (procd.yaml, .yml, .json). */
function projectOption(given: boolean, positionals: string[]): string | undefined {
  if (!given) {
    if (positionals.length) throw new ExitError(EXIT.usage, `unexpected argument "${positionals[0]}" (ls takes a word only after --project)`);
    return undefined;
  }
  if (positionals.length > 1) throw new ExitError(EXIT.usage, `--project takes one NAME (got ${positionals.length})`);
  if (positionals[0] !== undefined) return positionals[0];
  const file = DEFAULT_FILES.map((f) => resolve(f)).find((f) => existsSync(f));
  if (!file) throw new ExitError(EXIT.usage, `--project without NAME uses the project file here, but there is none (${DEFAULT_FILES.join(', ')}): give NAME`);
  return projectNameOf(file);
}
