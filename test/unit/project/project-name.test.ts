// `procd ls --project` without NAME reads the project's name without the YAML library (hot path):
// it must agree with what `procd up` (the full parser) makes of the same file.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../../client/project/load-project.js';
import { projectNameOf } from '../../../client/project/project-name.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'procd-pname-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('projectNameOf', () => {
  it.each([
    ['name: shop\njobs:\n  a:\n    shell: x\n', 'shop'],
    ['# a comment\nname: "shop-2"  # trailing\njobs:\n  a:\n    shell: x\n', 'shop-2'],
    ["jobs:\n  a:\n    shell: x\n    env: {name: inner}\nname: 'late'\n", 'late'],
    ['jobs:\n  name:\n    shell: x\n', null],
    ['jobs:\n  a:\n    shell: x\n', null],
  ])('agrees with procd up on %j', (text, expected) => {
    const file = join(dir, 'procd.yaml');
    writeFileSync(file, text);
    expect(projectNameOf(file)).toBe(expected ?? basename(dir));
    expect(projectNameOf(file)).toBe(loadProject(file, dir).name);
  });

  it('reads name from a JSON file', () => {
    const file = join(dir, 'procd.json');
    writeFileSync(file, '{"name": "blog", "jobs": {"a": {"shell": "x"}}}');
    expect(projectNameOf(file)).toBe('blog');
    expect(loadProject(file, dir).name).toBe('blog');
  });
});
