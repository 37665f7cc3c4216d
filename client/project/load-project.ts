// Loads a project file for `procd up` / `down`: finds it, parses it (yaml-source.ts), validates it
// against shared/schemas/project-file.ts, then checks what spans entries (after targets, cycles,
// conditions, env files) — every problem as "FILE:LINE: KEY: problem", before anything starts.

import { hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import * as v from 'valibot';
import { ConditionError, parseCondition } from '../../shared/condition-parser.js';
import { ProjectFileSchema, shortNameProblem, type ProjectFile } from '../../shared/schemas/project-file.js';
import { DEFAULT_FILES, findProjectFile } from './default-files.js';
import { parseEnvFile } from './env-file.js';
import { entryHash, normalizeEntry, type NormalEntry } from './entry-params.js';
import { findCycle } from './graph.js';
import { readYaml, SourceError, type PathKey, type YamlSource } from './yaml-source.js';

export { DEFAULT_FILES, findProjectFile };

export interface LoadedEntry {
  name: string;
  normal: NormalEntry;
  hash: string;
  /** The short names it waits for. */
  deps: string[];
}

export interface Project {
  name: string;
  /** Absolute path of the file. */
  file: string;
  /** In the file's order. */
  entries: Map<string, LoadedEntry>;
  /** The env files the entries read (absolute paths) with a digest of what was read: what a cached load must check. */
  envFiles?: EnvFileRead[];
}

export interface EnvFileRead {
  path: string;
  digest: string;
}

/** A file that cannot be used: the message is "FILE:LINE: KEY: problem" (or "FILE: problem"). */
export class ProjectFileError extends Error {}

/** Loads `file` (`given`: its text, already read by the caller). */
export function loadProject(file: string, cwd: string, given?: string): Project {
  const shown = isAbsolute(relative(cwd, file)) || relative(cwd, file).startsWith('..') ? file : relative(cwd, file);
  const fail = (line: number | null, key: string | null, problem: string): never => {
    throw new ProjectFileError(`${shown}${line ? `:${line}` : ''}: ${key ? `${key}: ` : ''}${problem}`);
  };
  let text: string;
  try {
    text = given ?? readFileSync(file, 'utf8');
  } catch (e) {
    return fail(null, null, `cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  let source: YamlSource;
  try {
    source = readYaml(text);
  } catch (e) {
    if (e instanceof SourceError) return fail(e.line, null, e.message);
    throw e;
  }
  const at = (path: readonly PathKey[], problem: string): never => fail(source.lineOf(path), dotted(path), problem);
  const parsed = v.safeParse(ProjectFileSchema, source.data);
  if (!parsed.success) {
    const issue = innermost(parsed.issues[0]);
    const path = (issue.path ?? []).map((p) => p.key as PathKey);
    const own = issue.type === 'check' || issue.type === 'strict_object' || issue.message.startsWith('expected ');
    const last = issue.path?.at(-1);
    const keyIssue = issue.type !== 'strict_object' && last !== undefined && 'origin' in last && last.origin === 'key';
    const message = keyIssue ? `not a usable name: ${issue.message}` : own ? issue.message : `expected ${issue.message}, got ${describeInput(issue.input)}`;
    return at(path.length ? path : [], path.length ? message : `the file must be ${issue.message.replace(/^expected /, '')}`);
  }
  const data: ProjectFile = parsed.output;
  const dir = dirname(file);
  const name = data.name ?? basename(dir);
  const problem = shortNameProblem(name);
  if (problem) fail(null, 'name', `the project's name defaults to the directory's, "${name}", which ${problem}: set name: in the file`);

  const entries = new Map<string, LoadedEntry>();
  const envFilesRead = new Map<string, string>();
  for (const [entryName, entry] of Object.entries(data.jobs)) {
    const here = ['jobs', entryName];
    if ((entry.command === undefined) === (entry.shell === undefined)) at(here, entry.command ? 'give command or shell, not both' : 'give command (an argv list) or shell (a string)');
    for (const key of ['ready_when', 'alive_when'] as const) {
      const p = entry[key];
      if (p === undefined) continue;
      try {
        parseCondition(typeof p === 'string' ? p : p.when);
      } catch (e) {
        if (e instanceof ConditionError) at(typeof p === 'string' ? [...here, key] : [...here, key, 'when'], e.message);
        throw e;
      }
    }
    const fileEnv: Record<string, string> = {};
    const envFiles = entry.env_file === undefined ? [] : typeof entry.env_file === 'string' ? [entry.env_file] : entry.env_file;
    envFiles.forEach((f, i) => {
      const path = typeof entry.env_file === 'string' ? [...here, 'env_file'] : [...here, 'env_file', i];
      let content: string;
      try {
        const bytes = readFileSync(resolve(dir, f));
        const digest = hash('sha256', bytes, 'hex');
        const before = envFilesRead.get(resolve(dir, f));
        // Changed between two entries' reads: a digest no file has, so no cached load of this one is ever used.
        envFilesRead.set(resolve(dir, f), before === undefined || before === digest ? digest : 'changed-while-read');
        content = bytes.toString('utf8');
      } catch (e) {
        return at(path, `cannot read ${f} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
      }
      const r = parseEnvFile(content);
      if (!r.ok) return at(path, `${f}:${r.line}: ${r.problem}`);
      Object.assign(fileEnv, r.env);
    });
    const deps = (entry.after ?? []).map((d) => d.split(':')[0]!);
    deps.forEach((dep, i) => {
      if (!Object.hasOwn(data.jobs, dep)) at([...here, 'after', i], `"${dep}" is not an entry of this file (entries: ${Object.keys(data.jobs).join(', ')})`);
      if (dep === entryName) at([...here, 'after', i], 'an entry cannot wait for itself');
    });
    const normal = normalizeEntry(entry, { project: name, dir, fileEnv });
    entries.set(entryName, { name: entryName, normal, hash: entryHash(normal), deps: [...new Set(deps)] });
  }
  const cycle = findCycle(new Map([...entries].map(([n, e]) => [n, e.deps])));
  if (cycle) at(['jobs', cycle[0]!, 'after'], `a cycle: ${cycle.join(' → ')} (each waits for the next)`);
  return { name, file, entries, envFiles: [...envFilesRead].map(([path, digest]) => ({ path, digest })) };
}

/** A union's issue (a probe's text or object form) is explained by the alternative that got furthest into the value, when one did. */
function innermost(issue: v.GenericIssue): v.GenericIssue {
  const depth = (i: v.GenericIssue) => i.path?.length ?? 0;
  const deeper = (issue.issues ?? []).filter((i) => depth(i) > depth(issue)).sort((a, b) => depth(b) - depth(a))[0];
  return deeper ? innermost(deeper) : issue;
}

function dotted(path: readonly PathKey[]): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${k}`)).join('');
}

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  return JSON.stringify(input);
}
