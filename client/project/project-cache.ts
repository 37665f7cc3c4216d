// A loaded project kept on disk, so `procd up` / `down` of a file that has not changed since the
// last run skip the YAML parser (its own bundle, yaml.js), the schema check, normalisation and
// hashing: about half the CPU of a `procd up` of a 100-entry file (README, "Benchmarks").
// A cached load is used only when everything it was made from is byte for byte the same: the
// file's text, every env file it read, and the procd build that made it (the CLI's own file: a
// new build may normalise or hash differently). Anything else — a missing, damaged or stale
// record, a disk that refuses — is a miss, and the file is loaded as if there were no cache.
// Only successful loads are kept: a file with a problem is reported from the file every time.

import { hash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvFileRead, LoadedEntry, Project } from './load-project.js';

/** Bumped when the record's shape changes. */
const FORMAT = 1;

interface Record_ {
  format: number;
  build: string;
  file: string;
  text: string;
  envFiles: EnvFileRead[];
  name: string;
  entries: LoadedEntry[];
}

const digestOf = (text: string | Buffer) => hash('sha256', text, 'hex');

/** The record's path for a project file (one per file, named by a digest of its path). */
export function cacheFileOf(cacheDir: string, file: string): string {
  return join(cacheDir, `${digestOf(file).slice(0, 32)}.json`);
}

/** Identifies the code that loads projects: the CLI file's path, size and mtime (each build writes it anew). */
export function buildIdOf(cliFile: string | undefined): string | null {
  if (!cliFile) return null;
  try {
    const st = statSync(cliFile);
    return `${cliFile}:${st.size}:${st.mtimeMs}`;
  } catch {
    return null;
  }
}

/** The project as cached for `file` with this `text`, or null (no record, or anything it was made from changed). */
export function readCachedProject(cacheDir: string, file: string, text: string, build: string | null): Project | null {
  if (build === null) return null;
  let record: Record_;
  try {
    record = JSON.parse(readFileSync(cacheFileOf(cacheDir, file), 'utf8')) as Record_;
  } catch {
    return null;
  }
  if (record?.format !== FORMAT || record.build !== build || record.file !== file || record.text !== digestOf(text)) return null;
  if (!Array.isArray(record.entries) || !Array.isArray(record.envFiles) || typeof record.name !== 'string') return null;
  for (const env of record.envFiles) {
    let content: Buffer;
    try {
      content = readFileSync(env.path);
    } catch {
      return null;
    }
    if (digestOf(content) !== env.digest) return null;
  }
  return { name: record.name, file, entries: new Map(record.entries.map((e) => [e.name, e])), envFiles: record.envFiles };
}

/** Keeps a successful load of `file` (its `text` as read); never fails the caller. Written only where a procd home already exists. */
export function writeCachedProject(cacheDir: string, project: Project, text: string, build: string | null, home: string): void {
  if (build === null || !existsSync(home)) return;
  const target = cacheFileOf(cacheDir, project.file);
  const tmp = `${target}.${process.pid}.tmp`;
  try {
    const record: Record_ = { format: FORMAT, build, file: project.file, text: digestOf(text), envFiles: project.envFiles ?? [], name: project.name, entries: [...project.entries.values()] };
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, JSON.stringify(record), { mode: 0o600 });
    renameSync(tmp, target);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // never written
    }
  }
}
