// `procd/protocol` (package.json "exports") must resolve to a built module with the shared
// protocol surface, and load nothing heavy or node-specific beyond it (no env-paths, no fs).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../../..');
const ENTRY = join(REPO, 'dist/shared/index.js');

/** Every module the entry loads, following its static imports and re-exports. */
function importGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) importGraph(resolve(dirname(file), spec), seen);
    else seen.add(spec);
  }
  return seen;
}

describe('procd/protocol', () => {
  it('resolves through the package name (self-reference) to the shared entry', async () => {
    const p = await import('procd/protocol');
    expect(p.PROTOCOL_VERSION).toBe(1);
    expect(Object.keys(p.methods)).toContain('wait');
    expect(p.isMethodName('daemon.status')).toBe(true);
    expect(p.ErrorCode.DaemonUnavailable).toBe(-32010);
    expect(new p.ProcdError(p.ErrorCode.JobNotFound, 'x').codeName).toBe('JobNotFound');
    expect(p.EVENT_KINDS).toContain('job.state');
    expect(p.JOB_STATE_KINDS).toContain('timed_out');
    expect(p.encodeFrame({ a: 1 })).toBe('{"a":1}\n');
    expect(new p.LineDecoder().push(Buffer.from('{"x":2}\n'))).toEqual([{ kind: 'line', text: '{"x":2}' }]);
  });

  it('is what a plain Node consumer gets from `import "procd/protocol"`', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', "const p = await import('procd/protocol'); console.log(p.PROTOCOL_VERSION, p.methods.track.mutates, p.METHOD_SPECS.wait.timeout.param)"], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1 true timeoutMs\n');
  });

  it('`procd/schemas` validates through Standard Schema and names the bad field', () => {
    const src = [
      "const s = await import('procd/schemas');",
      "const r = await s.METHOD_SCHEMAS.status.params['~standard'].validate({ job: true });",
      "console.log(r.issues.length, s.parseAt(s.METHOD_SCHEMAS.status.params, { job: true }, 'params').issue.path);",
    ].join('');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { cwd: REPO, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1 params.job\n');
  });

  it('loads only shared modules: no env-paths, pino, fs, daemon code or schema library', () => {
    const graph = [...importGraph(ENTRY)];
    const outside = graph.filter((m) => !m.startsWith(join(REPO, 'dist/shared/')));
    expect(outside).toEqual([]);
    const names = graph.map((m) => m.slice(join(REPO, 'dist/shared/').length));
    expect(names).not.toContain('paths.js');
    expect(names).not.toContain('version.js');
    expect(names).toContain('methods.js');
    expect(names.filter((n) => n.startsWith('schemas/'))).toEqual([]);
  });
});
