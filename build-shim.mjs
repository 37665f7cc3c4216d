#!/usr/bin/env node
// Compiles the native job shim (daemon/shim/native/*.c) into dist/shim/procd-shim during
// `npm run build` (so also `npm ci`/`npm install` through prepare), when a C compiler is present:
// $CC, else `cc`. A missing compiler is not an error: the daemon then runs the Perl shim, and
// dist/shim/build.json says why, for `procd daemon status`. A compiler that fails on this code
// is reported and recorded too, but the build goes on (the Perl shim still works); the contract
// tests then fail for the native shim instead of skipping it.
// Usage: node build-shim.mjs [--out DIR] [extra cc flags...]   (e.g. -fsanitize=address)

import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = import.meta.dirname;
const SRC = join(REPO, 'daemon/shim/native');
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const OUT = outAt >= 0 ? args.splice(outAt, 2)[1] : join(REPO, 'dist/shim');
const BIN = join(OUT, 'procd-shim');
const FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O2', '-D_FORTIFY_SOURCE=2'];

const cc = process.env.CC || 'cc';
const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version;
mkdirSync(OUT, { recursive: true });
const record = (built, reason) => writeFileSync(join(OUT, 'build.json'), `${JSON.stringify({ built, reason, cc, at: new Date().toISOString() })}\n`);

const probe = spawnSync(cc, ['--version'], { encoding: 'utf8' });
if (probe.error) {
  rmSync(BIN, { force: true }); // a binary from an earlier build must not outlive its sources
  record(false, `no C compiler at build time (${cc}: ${probe.error.code ?? probe.error.message})`);
  console.log(`build-shim: no C compiler (${cc}); the daemon will run the Perl shim`);
} else {
  const sources = readdirSync(SRC).filter((f) => f.endsWith('.c')).map((f) => join(SRC, f));
  const tmp = `${BIN}.tmp.${process.pid}`;
  const r = spawnSync(cc, [...FLAGS, `-DSHIM_VERSION="${version}"`, ...args, '-o', tmp, ...sources], { encoding: 'utf8' });
  if (r.status === 0) {
    renameSync(tmp, BIN);
    record(true, null);
  } else {
    rmSync(tmp, { force: true });
    rmSync(BIN, { force: true });
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim();
    record(false, `the C compiler (${cc}) failed: ${why.split('\n').slice(0, 3).join(' ')}`);
    console.error(`build-shim: ${cc} failed to compile the native shim; the daemon will run the Perl shim\n${why}`);
  }
}
