// The cached load of a project file (client/project/project-cache.ts, used by openProject in
// client/cli/project-args.ts): used only while the file, its env files and the procd build are
// byte for byte what the load was made from; every other case is a miss that reads the file.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openProject } from '../../../client/cli/project-args.js';
import { loadProject } from '../../../client/project/load-project.js';
import { cacheFileOf, readCachedProject, writeCachedProject } from '../../../client/project/project-cache.js';

let dir: string;
let home: string;
let cacheDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'procd-project-cache-'));
  home = join(dir, 'home');
  mkdirSync(home);
  cacheDir = join(home, 'cache', 'projects');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const FILE = () => join(dir, 'procd.yaml');
const YAML = 'name: shop\njobs:\n  api:\n    command: [sleep, "1"]\n    env_file: api.env\n  worker:\n    shell: exec sleep 2\n    after: [api]\n';
const BUILD = 'build-1';

/** Writes the file (and its env file), loads it and caches the load; returns the text. */
function loadAndCache(text = YAML, env = 'PORT=1\n'): string {
  writeFileSync(FILE(), text);
  writeFileSync(join(dir, 'api.env'), env);
  writeCachedProject(cacheDir, loadProject(FILE(), dir, text), text, BUILD, home);
  return text;
}

describe('project cache', () => {
  it('an unchanged file, env file and build give back the same project as a load from the file', () => {
    const text = loadAndCache();
    const cached = readCachedProject(cacheDir, FILE(), text, BUILD);
    const loaded = loadProject(FILE(), dir);
    expect(cached).not.toBeNull();
    expect(cached!.name).toBe('shop');
    expect([...cached!.entries.values()]).toEqual([...loaded.entries.values()]);
    expect(cached!.entries.get('api')!.normal.env).toEqual({ PORT: '1' });
  });

  it('a change of the text, of an env file or of the build is a miss', () => {
    const text = loadAndCache();
    expect(readCachedProject(cacheDir, FILE(), text.replace('"1"', '"3"'), BUILD)).toBeNull();
    expect(readCachedProject(cacheDir, FILE(), text, 'build-2')).toBeNull();
    expect(readCachedProject(cacheDir, FILE(), text, null)).toBeNull();
    writeFileSync(join(dir, 'api.env'), 'PORT=2\n');
    expect(readCachedProject(cacheDir, FILE(), text, BUILD)).toBeNull();
    rmSync(join(dir, 'api.env'));
    expect(readCachedProject(cacheDir, FILE(), text, BUILD)).toBeNull();
  });

  it('a damaged or foreign record is a miss, not an error', () => {
    const text = loadAndCache();
    writeFileSync(cacheFileOf(cacheDir, FILE()), '{"format":1,"build":"build-1",');
    expect(readCachedProject(cacheDir, FILE(), text, BUILD)).toBeNull();
    writeFileSync(cacheFileOf(cacheDir, FILE()), 'null');
    expect(readCachedProject(cacheDir, FILE(), text, BUILD)).toBeNull();
    expect(readCachedProject(join(dir, 'nowhere'), FILE(), text, BUILD)).toBeNull();
  });

  it('nothing is written where no procd home exists yet (the daemon makes it), nor without a build id', () => {
    writeFileSync(FILE(), YAML);
    writeFileSync(join(dir, 'api.env'), 'PORT=1\n');
    const project = loadProject(FILE(), dir);
    writeCachedProject(join(dir, 'no-home', 'cache'), project, YAML, BUILD, join(dir, 'no-home'));
    expect(existsSync(join(dir, 'no-home'))).toBe(false);
    writeCachedProject(cacheDir, project, YAML, null, home);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('openProject keeps a successful load, serves the next from it, and reads an edited file anew', async () => {
    const env = { PROCD_HOME: home };
    writeFileSync(join(dir, 'api.env'), 'PORT=1\n');
    writeFileSync(FILE(), YAML);
    const first = await openProject([], dir, env);
    expect(readdirSync(cacheDir)).toHaveLength(1);
    const again = await openProject([], dir, env);
    expect(again.entries).toEqual(first.entries);
    writeFileSync(FILE(), YAML.replace('exec sleep 2', 'exec sleep 3'));
    const edited = await openProject([], dir, env);
    expect(edited.project.entries.get('worker')!.normal.shell).toBe('exec sleep 3');
    expect(edited.project.entries.get('worker')!.hash).not.toBe(first.project.entries.get('worker')!.hash);
    writeFileSync(join(dir, 'api.env'), 'PORT=2\n');
    expect((await openProject([], dir, env)).project.entries.get('api')!.normal.env).toEqual({ PORT: '2' });
  });

  it('a broken file is reported from the file every time, even after a good load was cached', async () => {
    const env = { PROCD_HOME: home };
    writeFileSync(join(dir, 'api.env'), 'PORT=1\n');
    writeFileSync(FILE(), YAML);
    await openProject([], dir, env);
    writeFileSync(FILE(), YAML.replace('after: [api]', 'after: [nope]'));
    for (let i = 0; i < 2; i++) await expect(openProject([], dir, env)).rejects.toThrow('procd.yaml:8: jobs.worker.after[0]: "nope" is not an entry of this file');
  });
});
