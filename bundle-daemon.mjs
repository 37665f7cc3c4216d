#!/usr/bin/env node
// Bundles the daemon with esbuild after tsc has built dist/: one CommonJS file,
// dist/daemon/procd-daemon.cjs (daemon/main.ts and everything it loads, node_modules included),
// which autostart (client/autostart.ts DAEMON_ENTRY) runs and `procd daemon run` (the service
// units' ExecStart) requires. tsc's dist/daemon/ stays beside it for code that imports single
// modules (tests, tools); the daemon process loads none of it.
// Why: from tsc's output a daemon start resolves and reads ~300 ES modules one by one, plus
// pino-roll's `require('date-fns')` (~250 files for the five functions it uses); measured in the
// README ("Dependencies"). Here date-fns is those five functions only (dateFnsTrimmed).
// - Files found relative to their module (the shims, docs/openrpc.json, package.json for the
//   version) are found from where tsc puts that module: `import.meta.url` becomes that file's URL,
//   computed from the bundle's place. (The version is read, not inlined as in the CLI's bundles:
//   the daemon reports the package it is installed in, ~1 ms once per start.)
// - The daemon's modules still load after the instance lock (daemon/main.ts): esbuild turns the
//   `import('./daemon.js')` into a call that initialises them on first use, so a daemon that loses
//   the lock runs almost none of their code.
// - The file runs the daemon when it is node's entry (`node procd-daemon.cjs`), and exports
//   runDaemon for `procd daemon run`.
// - A source map beside it (procd-daemon.cjs.map) maps stack traces to the sources for whoever
//   runs node with --enable-source-maps; the daemon does not turn that on (start-up cost).
// `node bundle-daemon.mjs` writes the file and dist/daemon/procd-daemon.meta.json (esbuild's metafile).

import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { build } from 'esbuild';

const REPO = import.meta.dirname;
export const DAEMON_BUNDLE = 'dist/daemon/procd-daemon.cjs';
const OUT_FILE = join(REPO, DAEMON_BUNDLE);
const OUT_DIR = dirname(OUT_FILE);

const posix = (p) => p.split(sep).join('/');
const rel = (from, to) => {
  const r = posix(relative(from, to));
  return r.startsWith('.') ? r : `./${r}`;
};
/** Where tsc puts a source file's output (daemon/x.ts → dist/daemon/x.js). */
const distOf = (source) => join(REPO, 'dist', relative(REPO, source)).replace(/\.ts$/, '.js');

/** The entry: runs the daemon when this file is node's entry script, and lends runDaemon to the CLI. */
const ENTRY_SOURCE = `import { runDaemon } from './daemon/main.ts';
export { runDaemon };
if (require.main === module) {
  runDaemon().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(\`procd: \${(err && err.stack) || String(err)}\\n\`);
      process.exit(1);
    },
  );
}
`;

/** `import.meta.url` of a source file becomes the URL of tsc's output of it, so relative paths resolve as from dist/. */
const keepLayout = {
  name: 'procd-daemon-keep-layout',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const url = `new URL(${JSON.stringify(rel(OUT_DIR, distOf(args.path)))}, require("node:url").pathToFileURL(__filename)).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * pino-roll (lib/utils.js) requires all of date-fns (its index: ~250 modules) for format, addDays,
 * addHours, parse and isValid: it gets a module with those five, from date-fns's per-function files.
 */
export const DATE_FNS_USED = ['format', 'addDays', 'addHours', 'parse', 'isValid'];
const dateFnsTrimmed = {
  name: 'procd-date-fns-trimmed',
  setup(b) {
    b.onResolve({ filter: /^date-fns$/ }, (args) => ({ path: 'date-fns', namespace: 'procd-date-fns', pluginData: { resolveDir: args.resolveDir } }));
    b.onLoad({ filter: /.*/, namespace: 'procd-date-fns' }, (args) => ({
      contents: DATE_FNS_USED.map((name) => `exports.${name} = require('date-fns/${name}').${name};`).join('\n'),
      loader: 'js',
      resolveDir: args.pluginData.resolveDir,
    }));
  },
};

/** Runs esbuild; `write: false` returns the files (tests look at the metafile). */
export function bundleDaemon({ write = true } = {}) {
  return build({
    absWorkingDir: REPO,
    stdin: { contents: ENTRY_SOURCE, resolveDir: REPO, sourcefile: 'daemon-bundle-entry.ts', loader: 'ts' },
    outfile: OUT_FILE,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    packages: 'bundle',
    // The lazy import of the daemon's modules stays lazy, as a call within the file (not a second file).
    supported: { 'dynamic-import': false },
    sourcemap: true,
    // Fewer bytes for V8 to scan at start-up; names are kept for stack traces (crash.json, the log).
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    write,
    logLevel: write ? 'warning' : 'silent',
    plugins: [keepLayout, dateFnsTrimmed],
  });
}

if (process.argv[1] === import.meta.filename) {
  const result = await bundleDaemon();
  writeFileSync(join(OUT_DIR, 'procd-daemon.meta.json'), JSON.stringify(result.metafile));
  const out = result.metafile.outputs[DAEMON_BUNDLE];
  const inputs = Object.keys(result.metafile.inputs).length;
  console.error(`bundle-daemon: ${DAEMON_BUNDLE} ${Math.round(out.bytes / 1024)} KiB from ${inputs} files`);
}
