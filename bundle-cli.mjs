#!/usr/bin/env node
// Bundles the CLI with esbuild after tsc has built dist/: two CommonJS files in dist/client/cli/
// (a package.json beside them says "commonjs") in place of tsc's ~40 ES modules there:
// - hot.js (client/cli/main.ts): `ls`, `status` and `track` and what they need only; the bin,
//   main.js, is a small loader that compiles it with a V8 code cache (bundle-cli-cache.mjs);
// - cli.js, the full CLI (client/cli/cli.ts): every command, help, --version; hot.js requires it
//   only for those, so `procd ls` does not compile the other commands' code;
// - yaml.js, the YAML parser, which cli.js requires only for `up` and `down`;
// - mcp.js, `procd mcp` with the MCP SDK, which cli.js requires only for that command.
// Measured on Node 20 (README, "Dependencies"): an ES module entry alone costs ~20 ms of start-up
// before any code runs, and one bundled ES file ~25 ms more than the same bundle as CommonJS;
// esbuild splits only ES modules, hence two self-contained CommonJS bundles (a process runs code
// from one of them: hot.js hands over to cli.js before it has done anything). Whitespace and
// syntax are minified (fewer bytes to scan); names are kept, for stack traces and for
// test/e2e/upgrade.test.ts, which finds PROTOCOL_VERSION in both files. Commands stay lazy inside
// each file: esbuild turns each `import()` of a command into a call that initialises that
// command's modules on first use.
// The bin's bundle carries the method table without its help and docs text (bundle-cli-table.mjs:
// every method's doc line, and the CLI specs of the commands it leaves to cli.js), so the two are
// built separately: one esbuild run per file, their metafiles merged.
// The library (dist/client/index.js) stays tsc's output; the daemon is bundled on its own
// (bundle-daemon.mjs): the CLI's import of daemon/ (only `procd daemon run`) is left as an
// import() of that bundle, dist/daemon/procd-daemon.cjs.
// `node bundle-cli.mjs` writes the files and dist/client/cli/meta.json (esbuild's metafile);
// test/unit/client/hot-path.test.ts runs bundleCli({ write: false }).

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import { HOT_FILE, HOT_WRAPPER, writeBinWithCaches } from './bundle-cli-cache.mjs';
import { hotMethodsSource, loadMethodsModule } from './bundle-cli-table.mjs';
import { DAEMON_BUNDLE } from './bundle-daemon.mjs';

const REPO = import.meta.dirname;
const OUT_DIR = join(REPO, 'dist/client/cli');
// The hot commands' bundle; the bin, main.js, is the loader bundle-cli-cache.mjs writes beside it.
const OUT_FILE = join(OUT_DIR, HOT_FILE);
const ENTRY = 'client/cli/main.ts';

const posix = (p) => p.split(sep).join('/');
const rel = (from, to) => {
  const r = posix(relative(from, to));
  return r.startsWith('.') ? r : `./${r}`;
};
/** Where tsc puts a source file's output (client/x.ts → dist/client/x.js). */
const distOf = (source) => join(REPO, 'dist', relative(REPO, source)).replace(/\.ts$/, '.js');

const keepLayout = {
  name: 'procd-keep-layout',
  setup(b) {
    // The daemon is not in the CLI's bundles: `procd daemon run` imports its own bundle.
    b.onResolve({ filter: /\/daemon\// }, (args) => {
      const source = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      if (!posix(relative(REPO, source)).startsWith('daemon/')) return undefined;
      // `procd daemon run` (the service units' ExecStart) runs the daemon's bundle (bundle-daemon.mjs), as autostart does.
      if (posix(relative(REPO, source)) === 'daemon/main.ts') return { path: rel(OUT_DIR, join(REPO, DAEMON_BUNDLE)), external: true };
      return { path: rel(OUT_DIR, distOf(source)), external: true };
    });
    // Nor is the dashboard's server (`procd dashboard` only): it imports tsc's dist/client/dashboard/main.js.
    b.onResolve({ filter: /\/dashboard\/main\.js$/ }, (args) => {
      const source = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      if (posix(relative(REPO, source)) !== 'client/dashboard/main.ts') return undefined;
      return { path: rel(OUT_DIR, distOf(source)), external: true };
    });
    // Files found relative to their module (package.json, templates, the daemon entry) are found
    // from where tsc would have put that module.
    // The bin (main.ts) loads the full CLI from its own bundle, cli.js, only when it needs it.
    b.onResolve({ filter: /^\.\/cli\.js$/ }, (args) => (args.importer === join(REPO, ENTRY) ? { path: './cli.js', external: true } : undefined));
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const url = `new URL(${JSON.stringify(rel(OUT_DIR, distOf(args.path)))}, require("node:url").pathToFileURL(__filename)).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * A hot command's rarer paths take their code from cli.js (an `import('../cli.js')` in the
 * command, which cli.ts re-exports for them): `track --wait-for` the condition wait (wait's
 * presentation), `status --timeline` the timeline's printer, `track --follow` the output follower. The bin does not carry them for every call.
 */
const rarePathsThroughCli = {
  name: 'procd-rare-paths-through-cli',
  setup(b) {
    const cliDir = join(REPO, 'client/cli') + sep;
    const bin = join(REPO, ENTRY);
    b.onResolve({ filter: /^\.\.?\/cli\.js$/ }, (args) => (args.importer.startsWith(cliDir) && args.importer !== bin ? { path: './cli.js', external: true } : undefined));
  },
};

/**
 * shared/version.ts reads package.json at start-up (~0.8 ms of every call); the bundles ship with
 * that same package.json, so they carry its version as a literal instead.
 */
const packageVersion = {
  name: 'procd-package-version',
  setup(b) {
    b.onLoad({ filter: /[\\/]shared[\\/]version\.ts$/ }, async () => {
      const { version } = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8'));
      return { contents: `export const VERSION = ${JSON.stringify(version)};\n`, loader: 'js' };
    });
  },
};

/**
 * The YAML parser (~160 KB) serves `procd up` / `down` only: left out of cli.js, so other commands
 * do not parse it, and bundled on its own as yaml.js beside it (required when those commands
 * load): from node_modules its ~80 files cost ~30 ms more to resolve and read.
 */
const YAML_FILE = './yaml.js';
const yamlApart = {
  name: 'procd-yaml-apart',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, () => ({ path: YAML_FILE, external: true }));
  },
};

/** In the bin's bundle, shared/methods.ts is its projection (bundle-cli-table.mjs): the table without help and docs text. */
function hotTablePlugin(source) {
  return {
    name: 'procd-hot-table',
    setup(b) {
      b.onLoad({ filter: /[\\/]shared[\\/]methods\.ts$/ }, (args) => ({ contents: source, loader: 'js', resolveDir: dirname(args.path) }));
    },
  };
}

/**
 * `procd mcp` (client/mcp/serve.ts) with the MCP SDK and zod (~1 MB) is its own bundle, mcp.js:
 * cli.js requires it only when that command loads, so no other command parses it.
 */
const MCP_FILE = './mcp.js';
const MCP_ENTRY = 'client/mcp/serve.ts';
const mcpApart = {
  name: 'procd-mcp-apart',
  setup(b) {
    b.onResolve({ filter: /\/mcp\/serve\.js$/ }, () => ({ path: MCP_FILE, external: true }));
  },
};

const options = (entry, write, plugins) => ({
  absWorkingDir: REPO,
  entryPoints: entry,
  outdir: OUT_DIR,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  packages: 'bundle',
  sourcemap: true,
  // Fewer bytes for V8 to scan at start-up; names stay (PROTOCOL_VERSION is found in the file by test/e2e/upgrade.test.ts).
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  write,
  logLevel: write ? 'warning' : 'silent',
  plugins,
});

/** Runs esbuild for the bin and for the full CLI; returns both metafiles merged (the bin's view of a shared input wins). */
export async function bundleCli({ write = true } = {}) {
  const table = hotMethodsSource(await loadMethodsModule(REPO));
  const [bin, full, yaml, mcp] = await Promise.all([build({
      ...options({ hot: ENTRY }, write, [packageVersion, keepLayout, rarePathsThroughCli, hotTablePlugin(table)]),
      // The bin's import() of cli.js becomes a require(): an import() of it started Node's ES module loader (~60 ms per other command).
      supported: { 'dynamic-import': false },
      // Wrapped as Node wraps a CommonJS file: the bin compiles it as it is (no copy of 92 KB joined to a wrapper).
      banner: { js: HOT_WRAPPER[0] },
      footer: { js: HOT_WRAPPER[1] },
    }), build(options({ cli: 'client/cli/cli.ts' }, write, [packageVersion, keepLayout, yamlApart, mcpApart])),
    build(options({ yaml: createRequire(import.meta.url).resolve('yaml') }, write, [])),
    build(options({ mcp: MCP_ENTRY }, write, [packageVersion, keepLayout]))]);
  return {
    errors: [...bin.errors, ...full.errors, ...yaml.errors, ...mcp.errors],
    warnings: [...bin.warnings, ...full.warnings, ...yaml.warnings, ...mcp.warnings],
    metafile: {
      inputs: { ...mcp.metafile.inputs, ...yaml.metafile.inputs, ...full.metafile.inputs, ...bin.metafile.inputs },
      outputs: { ...mcp.metafile.outputs, ...yaml.metafile.outputs, ...full.metafile.outputs, ...bin.metafile.outputs },
    },
    outputFiles: [...(bin.outputFiles ?? []), ...(full.outputFiles ?? []), ...(yaml.outputFiles ?? []), ...(mcp.outputFiles ?? [])],
  };
}

if (process.argv[1] === import.meta.filename) {
  // tsc's ES modules of the CLI would be read as CommonJS next to the package.json below: remove them.
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const result = await bundleCli();
  writeFileSync(join(OUT_DIR, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  writeFileSync(join(OUT_DIR, 'meta.json'), JSON.stringify(result.metafile));
  const caches = await writeBinWithCaches(REPO, OUT_DIR);
  if (caches.length < 5) console.error(`bundle-cli: warning: only ${caches.length} of 5 code caches were trained (${caches.join(', ')}): those commands start slower`);
  const kib = Math.round(result.metafile.outputs[posix(relative(REPO, OUT_FILE))].bytes / 1024);
  console.error(`bundle-cli: ${posix(relative(REPO, OUT_FILE))} ${kib} KiB, code caches ${caches.join(', ')} (${readdirSync(OUT_DIR).length} files in its directory)`);
}
