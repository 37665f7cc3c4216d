// The project file's checks (client/project/load-project.ts): every problem names file, line and key.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findProjectFile, loadProject } from '../../../client/project/load-project.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'procd-project-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function load(text: string, file = 'procd.yaml') {
  writeFileSync(join(dir, file), text);
  return loadProject(join(dir, file), dir);
}
const problem = (text: string, file?: string) => {
  try {
    load(text, file);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the file was accepted');
};

describe('project file errors name file, line and key', () => {
  it.each([
    ['a bad size', 'name: shop\njobs:\n  api:\n    command: [node, server.js]\n  worker:\n    shell: python worker.py\n    max_memory: 512Q\n', 'procd.yaml:7: jobs.worker.max_memory: "512Q" is not a size'],
    ['an unknown key, with the nearest known one', 'jobs:\n  api:\n    command: [sleep, "1"]\n    max_mem: 5\n', 'procd.yaml:4: jobs.api.max_mem: unknown key; did you mean max_memory?'],
    ['an unknown top-level key', 'nmae: x\njobs:\n  a:\n    shell: x\n', 'procd.yaml:1: nmae: unknown key; did you mean name?'],
    ['a cycle in after', 'jobs:\n  a:\n    shell: x\n    after: [b]\n  b:\n    shell: y\n    after: ["a:ready"]\n', 'procd.yaml:4: jobs.a.after: a cycle: a → b → a'],
    ['an unknown after target', 'jobs:\n  a:\n    shell: x\n    after: [c]\n', 'procd.yaml:4: jobs.a.after[0]: "c" is not an entry of this file'],
    ['an entry waiting for itself', 'jobs:\n  a:\n    shell: x\n    after: ["a:started"]\n', 'procd.yaml:4: jobs.a.after[0]: an entry cannot wait for itself'],
    ['a bad after condition', 'jobs:\n  a:\n    shell: x\n    after: ["b:healthy"]\n  b:\n    shell: y\n', 'procd.yaml:4: jobs.a.after[0]: "b:healthy" is not NAME[:completed|ended|started|ready]'],
    ['a command as a string', 'jobs:\n  a:\n    command: "sleep 1"\n', 'procd.yaml:3: jobs.a.command: expected a list of arguments, got "sleep 1"'],
    ['neither command nor shell', 'jobs:\n  a:\n    restart: always\n', 'procd.yaml:2: jobs.a: give command (an argv list) or shell (a string)'],
    ['both command and shell', 'jobs:\n  a:\n    command: [x]\n    shell: x\n', 'procd.yaml:2: jobs.a: give command or shell, not both'],
    ['a bad condition', 'jobs:\n  a:\n    shell: x\n    ready_when: lisen=3000\n', 'procd.yaml:4: jobs.a.ready_when: unknown condition `lisen`; did you mean `listen`?'],
    ['a bad probe figure', 'jobs:\n  a:\n    shell: x\n    alive_when:\n      when: listen=3000\n      interval: 1x\n', 'procd.yaml:6: jobs.a.alive_when.interval: "1x" is not a duration'],
    ['a bad signal', 'jobs:\n  a:\n    shell: x\n    stop_signal: SIGFOO\n', 'procd.yaml:4: jobs.a.stop_signal: "SIGFOO" is not a signal'],
    ['a bad restart policy', 'jobs:\n  a:\n    shell: x\n    restart: sometimes\n', 'procd.yaml:4: jobs.a.restart: "sometimes" is not one of no, on-failure, always, unless-stopped'],
    ['a bad priority', 'jobs:\n  a:\n    shell: x\n    priority: urgent\n', 'procd.yaml:4: jobs.a.priority: "urgent" is not one of low, normal, high, critical'],
    ['an entry name with "/"', 'jobs:\n  "x/y":\n    shell: x\n', 'procd.yaml:2: jobs.x/y: not a usable name: "x/y" contains "/"'],
    ['a bad project name', 'name: "a b"\njobs:\n  a:\n    shell: x\n', 'procd.yaml:1: name: "a b" contains a space'],
    ['no entries', 'jobs: {}\n', 'procd.yaml:1: jobs: at least one entry'],
    ['no jobs key', 'name: x\n', 'procd.yaml:1: jobs: required: the entries: a mapping of entry names to entries'],
    ['a duplicate key', 'jobs:\n  a:\n    shell: x\n  a:\n    shell: y\n', 'procd.yaml:4: Map keys must be unique'],
    ['a missing env file', 'jobs:\n  a:\n    shell: x\n    env_file: [ok.env, nope.env]\n', 'procd.yaml:4: jobs.a.env_file[1]: cannot read nope.env (ENOENT)'],
  ])('%s', (_what, text, expected) => {
    writeFileSync(join(dir, 'ok.env'), 'A=1\n');
    expect(problem(text)).toContain(expected);
  });

  it('a JSON file is reported by line too', () => {
    expect(problem('{\n  "jobs": {\n    "a": {\n      "shell": "x",\n      "grace": "5q"\n    }\n  }\n}\n', 'procd.json')).toContain('procd.json:5: jobs.a.grace: "5q" is not a duration');
  });

  it('a JSON file may name its JSON Schema ($schema), as editors expect', () => {
    expect(load('{"$schema": "./node_modules/procd/docs/procd-yaml.schema.json", "name": "x", "jobs": {"a": {"shell": "s"}}}', 'procd.json').name).toBe('x');
  });

  it('a bad line of an env file is named with its own line', () => {
    writeFileSync(join(dir, 'bad.env'), '# ok\nA=1\nnot a pair\n');
    expect(problem('jobs:\n  a:\n    shell: x\n    env_file: bad.env\n')).toContain('procd.yaml:4: jobs.a.env_file: bad.env:3: "not a pair" is not KEY=VALUE');
  });
});

describe('a valid project file', () => {
  it('names the project after the directory unless name: says otherwise, keeps the file order, and resolves after to siblings', () => {
    mkdirSync(join(dir, 'srv'));
    writeFileSync(join(dir, '.env'), 'export A="from file"\nB=2\n');
    const p = load('jobs:\n  api:\n    command: [node, server.js]\n    cwd: srv\n    env_file: .env\n    env: {B: 3, C: true}\n  worker:\n    shell: w\n    after: ["api:ready", api]\n');
    expect(p.name).toBe(dir.split('/').pop());
    expect([...p.entries.keys()]).toEqual(['api', 'worker']);
    const api = p.entries.get('api')!;
    expect(api.normal.cwd).toBe(join(dir, 'srv'));
    expect(api.normal.env).toEqual({ A: 'from file', B: '3', C: 'true' });
    expect(p.entries.get('worker')!.deps).toEqual(['api']);
    expect(p.entries.get('worker')!.normal.after).toEqual([`${p.name}/api`, `${p.name}/api:ready`]);
    expect(load('name: shop\njobs:\n  a:\n    shell: x\n').name).toBe('shop');
  });

  it('is found as procd.yaml, procd.yml or procd.json, in that order', () => {
    expect(findProjectFile(dir)).toBeNull();
    writeFileSync(join(dir, 'procd.json'), '{}');
    expect(findProjectFile(dir)).toBe(join(dir, 'procd.json'));
    writeFileSync(join(dir, 'procd.yml'), '');
    expect(findProjectFile(dir)).toBe(join(dir, 'procd.yml'));
    expect(findProjectFile(dir, 'other.yaml')).toBe(join(dir, 'other.yaml'));
  });
});
