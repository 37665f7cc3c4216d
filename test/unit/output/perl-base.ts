// A perl that sees only the modules of Debian's perl-base package (what slim images such as
// node:20-slim ship): a wrapper that replaces @INC with perl-base's own directory before it runs
// the script. Imports nothing of the shim harness, so a test can set PROCD_TEST_SHIM_PERL first.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type PerlBase = { perl: string; incDir: string; dir: string } | { skip: string };

/** Writes the wrapper into a fresh temp dir (the caller removes `dir`), or says why it cannot. */
export function perlBaseOnly(): PerlBase {
  const listed = spawnSync('dpkg', ['-L', 'perl-base'], { encoding: 'utf8' });
  if (listed.error || listed.status !== 0) return { skip: `no dpkg or no perl-base package here (${listed.error?.message ?? listed.stderr.trim()})` };
  const files = listed.stdout.split('\n');
  // strict.pm is a top-level module: its directory is the root of perl-base's module tree.
  const strict = files.find((f) => f.endsWith('/strict.pm'));
  const perl = files.find((f) => f === '/usr/bin/perl');
  if (!strict || !perl) return { skip: 'perl-base lists no strict.pm or no /usr/bin/perl' };
  const incDir = dirname(strict);
  if (files.some((f) => f.endsWith('.pm') && !f.startsWith(`${incDir}/`))) return { skip: `perl-base has modules outside ${incDir}; this wrapper assumes one tree` };
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'procd-perl-base-')));
  const wrapper = join(dir, 'perl');
  // `do FILE` runs the script as perl would (an `exit` in it ends the process); a die is re-thrown.
  const code = `BEGIN { @INC = (${JSON.stringify(incDir)}) } my $s = shift; $0 = $s; do $s; die $@ if $@; exit 0`;
  writeFileSync(wrapper, `#!/bin/sh\nexec ${perl} -e '${code}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  return { perl: wrapper, incDir, dir };
}
