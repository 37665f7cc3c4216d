// The package ships every file the Perl shim loads: procd-shim.pl requires its modules from
// daemon/shim/perl/ by path, so a module left out of package.json "files" would fail every job on
// an installed procd. Read from `npm pack --dry-run` (scripts off: no build).

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The module files procd-shim.pl requires (`require "$LIB/X.pm"`, also in a `for qw(...)` list). */
function requiredModules(): string[] {
  const script = readFileSync(`${ROOT}daemon/shim/procd-shim.pl`, 'utf8');
  const names = new Set<string>();
  for (const m of script.matchAll(/require "\$LIB\/\$_\.pm" for qw\(([^)]*)\)/g)) for (const n of m[1]!.trim().split(/\s+/)) names.add(n);
  for (const m of script.matchAll(/require "\$LIB\/([A-Za-z]+)\.pm"/g)) names.add(m[1]!);
  return [...names].map((n) => `daemon/shim/perl/${n}.pm`);
}

describe('the package', () => {
  it('ships the Perl shim and every module it requires (also the fork server\'s)', () => {
    const modules = requiredModules();
    expect(modules).toEqual(expect.arrayContaining(['daemon/shim/perl/Spawn.pm', 'daemon/shim/perl/Server.pm']));
    for (const m of modules) expect(existsSync(`${ROOT}${m}`), m).toBe(true);
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const packed = new Set((JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
    expect([...modules, 'daemon/shim/procd-shim.pl'].filter((f) => !packed.has(f))).toEqual([]);
  }, 150_000);
});
