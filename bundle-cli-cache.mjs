// The bin's V8 code cache. esbuild writes the hot commands' bundle to dist/client/cli/hot.js; the
// bin, dist/client/cli/main.js, is the small loader below: it compiles hot.js through vm.Script
// with the bytecode V8 saved after a training run of the same command (hot.ls.v8cache,
// hot.status.v8cache, hot.track.v8cache, written here at build time against a stand-in daemon).
// V8 then neither pre-parses the 92 KB file nor compiles the functions `ls` runs: on Node 20,
// ~23 of the ~84 million instructions `procd ls --all` executes beyond `node -e 0` (README,
// "Benchmarks"). Node 20 has no compile cache of its own; Node 22's caches only what the first
// compile produced, and gained nothing measurable here.
// Safety: V8 checks a cache against its own version, its flags and the source's length only, so
// the loader uses the build's cache only while hot.js has the size and modification time it had
// when the cache was made (a rebuild, a copy or an edit of hot.js turns it off; V8 refusing it —
// another Node, other V8 flags — costs a normal compile). Where the times are not the build's (an
// npm install extracts files with the time of the install, so every install), the first run of a
// command writes the machine's own cache at exit, keyed by the file's device, inode, size and time
// and V8's version (code-cache-save.js, in $XDG_CACHE_HOME or ~/.cache under procd/code-cache), and
// later runs take that one. PROCD_CODE_CACHE=0 turns both off.
// `procd up` and `procd down` (budgeted figures) get the same for the full CLI: for them the bin
// compiles cli.js with cli.up.v8cache / cli.down.v8cache, trained against the stand-in on a
// small project whose load is cached (so the training compiles what a repeated `down` runs).

import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The hot commands' bundle, beside the bin. */
export const HOT_FILE = 'hot.js';
/** The command word → its cache; any other word (help, logs, …) uses `ls`'s, which holds the code every command starts with. */
export const CACHE_OF_WORD = { ls: 'ls', list: 'ls', status: 'status', track: 'track' };
const TRAINING = { ls: ['ls', '--all'], status: ['status', '1'], track: ['track', '--', 'true'] };

/** esbuild writes hot.js inside the function Node wraps a CommonJS file in; the bin compiles the file as it is and calls it. */
export const HOT_WRAPPER = ['(function (exports, require, module, __filename, __dirname) {', '})'];

/** The file a command's cache is in (relative to the bin's directory). */
export const cacheFile = (name) => `hot.${name}.v8cache`;

/** The full CLI's bundle, beside the bin; hot.js requires it for every command it does not run itself. */
export const FULL_FILE = 'cli.js';
/**
 * The commands of the full CLI whose start-up counts (`procd up` / `down` of a 100-entry file are
 * budgeted figures): the bin compiles cli.js for them with a cache trained on that command, as it
 * does hot.js. Any other word loads cli.js with a plain require.
 */
export const FULL_CACHE_OF_WORD = { up: 'up', down: 'down' };
/** The file of the full CLI's cache for a command (relative to the bin's directory). */
export const fullCacheFile = (name) => `cli.${name}.v8cache`;

/** The bin: compiles hot.js (and cli.js for up/down) with the cache of this command when the file is the one the cache was made from. */
export function loaderSource(built, builtFull) {
  return `#!/usr/bin/env node
// The procd bin. The hot commands (ls, status, track) and the hand-over to the full CLI are in
// hot.js; this file compiles it with a V8 code cache (bundle-cli-cache.mjs), and the full CLI,
// cli.js, likewise for the commands that have a cache of their own (up, down).
"use strict";
const { readFileSync, statSync, writeFileSync } = require("node:fs");
const { Script, constants: vmConstants } = require("node:vm");
const BUILT = ${JSON.stringify(built)};
const BUILT_FULL = ${JSON.stringify(builtFull)};
const CACHE_OF_WORD = ${JSON.stringify(CACHE_OF_WORD)};
const FULL_CACHE_OF_WORD = ${JSON.stringify(FULL_CACHE_OF_WORD)};
const useCache = process.env.PROCD_CODE_CACHE !== "0";
/**
 * The cache for \`file\`: the build's (\`name\`.v8cache) while the file has the size and time it had
 * at build time, else this machine's own from an earlier run (npm extracts with the time of the
 * install), kept under \`own\` only if it is the user's and no one else may write it.
 */
function cacheFor(file, built, name) {
  try {
    const st = statSync(file);
    if (built && st.size === built.size && Math.abs(st.mtimeMs - built.mtimeMs) < 1) return { data: readFileSync(__dirname + "/" + name + ".v8cache") };
    const home = process.env.XDG_CACHE_HOME || (process.env.HOME ? process.env.HOME + "/.cache" : "");
    if (!home.startsWith("/")) return {};
    const own = home + "/procd/code-cache/" + name + "-" + [st.dev, st.ino, st.size, Math.round(st.mtimeMs), process.versions.v8].join("-") + ".v8cache";
    try {
      const o = statSync(own);
      if (o.uid === process.getuid() && !(o.mode & 0o22)) return { data: readFileSync(own), own };
    } catch {}
    return { own };
  } catch {}
  return {};
}
/** This machine's own cache, written at the exit of a run that went well when there is none yet or V8 refused it (${SAVER_FILE}). */
function keepOwn(script, cache) {
  if (cache.own && (!cache.data || script.cachedDataRejected)) process.once("exit", (code) => code === 0 && require("./${SAVER_FILE}")(cache.own, script));
}
const file = __dirname + "/${HOT_FILE}";
const source = readFileSync(file, "utf8");
const writeTo = process.env.PROCD_CODE_CACHE_WRITE;
const cache = !writeTo && useCache ? cacheFor(file, BUILT, "hot." + (CACHE_OF_WORD[process.argv[2]] || "ls")) : {};
// hot.js is already wrapped as Node wraps a CommonJS file (HOT_WRAPPER): compiled as it is, without a copy.
const script = new Script(source, { filename: file, cachedData: cache.data });
keepOwn(script, cache);
// The build's training run: the bytecode of everything this command compiled, saved at exit.
if (writeTo) process.once("exit", () => writeFileSync(writeTo, script.createCachedData()));
const fullWord = FULL_CACHE_OF_WORD[process.argv[2]];
let full;
/** cli.js as require would load it, compiled with this command's cache (cli.js is not wrapped: require() loads it for other commands). */
function requireFull() {
  if (full) return full.exports;
  const fullFile = __dirname + "/${FULL_FILE}";
  const writeFullTo = process.env.PROCD_CODE_CACHE_WRITE_FULL;
  const fullCache = !writeFullTo && useCache ? cacheFor(fullFile, BUILT_FULL, "cli." + fullWord) : {};
  const fullScript = new Script(${JSON.stringify(HOT_WRAPPER[0])} + readFileSync(fullFile, "utf8") + ${JSON.stringify(`\n${HOT_WRAPPER[1]}`)}, { filename: fullFile, cachedData: fullCache.data, importModuleDynamically: vmConstants && vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  keepOwn(fullScript, fullCache);
  if (writeFullTo) process.once("exit", () => writeFileSync(writeFullTo, fullScript.createCachedData()));
  full = { exports: {} };
  fullScript.runInThisContext()(full.exports, require, full, fullFile, __dirname);
  return full.exports;
}
const hotRequire = fullWord ? Object.assign((id) => (id === "./${FULL_FILE}" ? requireFull() : require(id)), require) : require;
script.runInThisContext()(module.exports, hotRequire, module, file, __dirname);
`;
}

/** Beside the bin: writes this machine's own code cache (loaded by the bin only when it has to write one). */
export const SAVER_FILE = 'code-cache-save.js';

/** The saver's source: the cache to a temporary name then renamed (a reader never sees half of one); a week-old cache of the same command goes (an upgrade leaves the old version's behind; one still in use is made again on its next run). Best effort: any failure leaves things as they were. */
export function saverSource() {
  return `"use strict";
// Writes the bin's own V8 code cache for a file whose times are not the build's (bundle-cli-cache.mjs).
const { mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } = require("node:fs");
const { basename, dirname } = require("node:path");
const WEEK_MS = 7 * 24 * 3600 * 1000;
module.exports = function save(path, script) {
  try {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = path + "." + process.pid + ".tmp";
    writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    renameSync(tmp, path);
    const command = basename(path).split("-")[0] + "-";
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(command) || dir + "/" + name === path) continue;
      try {
        if (Date.now() - statSync(dir + "/" + name).mtimeMs > WEEK_MS) unlinkSync(dir + "/" + name);
      } catch {}
    }
  } catch {}
};
`;
}

/** size and mtime of a built file, which the bin compares before it takes a cache for it. */
const builtOf = (path) => {
  const { size, mtimeMs } = statSync(path);
  return { size, mtimeMs };
};

/** Writes the bin for the hot.js and cli.js now in `outDir`, then one trained cache per hot command and per FULL_CACHE_OF_WORD command. Returns the caches written. */
export async function writeBinWithCaches(repo, outDir) {
  const bin = join(outDir, 'main.js');
  // The bin compares it to the millisecond: a copy that keeps times (cp -p, cpSync's preserveTimestamps) may round it.
  writeFileSync(bin, loaderSource(builtOf(join(outDir, HOT_FILE)), builtOf(join(outDir, FULL_FILE))));
  chmodSync(bin, 0o755);
  writeFileSync(join(outDir, SAVER_FILE), saverSource());
  const written = [];
  const dir = mkdtempSync(join(tmpdir(), 'procd-code-cache-'));
  const socket = join(dir, 'procd.sock');
  const server = await standIn(repo, socket);
  const train = async (out, args, env, cwd) => {
    const code = await run(bin, args, { PROCD_SOCKET: socket, ...env }, cwd);
    if (code === 0 && existsSync(out)) return true;
    rmSync(out, { force: true });
    return false;
  };
  try {
    for (const [name, args] of Object.entries(TRAINING)) {
      const out = join(outDir, cacheFile(name));
      if (await train(out, args, { PROCD_CODE_CACHE_WRITE: out })) written.push(cacheFile(name));
    }
    // up and down of a small project (a dependency, so layers run), in a home of the training's own:
    // the first run loads the file and keeps it (client/project/project-cache.ts), the trained run
    // takes it from there, as a user's down of an unchanged file does (no YAML parser).
    const home = join(dir, 'home');
    const project = join(dir, 'project');
    mkdirSync(home, { mode: 0o700 });
    mkdirSync(project);
    writeFileSync(join(project, 'procd.yaml'), 'name: training\njobs:\n  db:\n    command: [sleep, "1"]\n  api:\n    command: [sleep, "1"]\n    after: ["db:started"]\n');
    for (const name of Object.keys(FULL_CACHE_OF_WORD)) {
      const out = join(outDir, fullCacheFile(name));
      await run(bin, [name], { PROCD_SOCKET: socket, PROCD_HOME: home }, project);
      if (await train(out, [name], { PROCD_HOME: home, PROCD_CODE_CACHE_WRITE_FULL: out }, project)) written.push(fullCacheFile(name));
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return written;
}

function run(bin, args, env, cwd = undefined) {
  const full = { ...process.env, PROCD_NO_AUTOSTART: '1', NODE_OPTIONS: '' };
  delete full.PROCD_HOME;
  delete full.PROCD_CODE_CACHE;
  Object.assign(full, env);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: full, stdio: 'ignore', ...(cwd ? { cwd } : {}) });
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code));
  });
}

/**
 * A stand-in daemon for the training runs: it answers hello as the real one does and list, status
 * and track with jobs of the shapes a daemon gives (bundle-cli-training-jobs.json: a running, a
 * failed and a completed job, as `procd ls --all --json` printed them). What it answers only
 * decides which functions get compiled; the cache is right for any answer.
 */
async function standIn(repo, socket) {
  const { hello } = await import(pathToFileURL(join(repo, 'dist/daemon/handlers/hello.js')).href);
  const { rowOf } = await import(pathToFileURL(join(repo, 'dist/shared/job-row.js')).href);
  const samples = JSON.parse(readFileSync(join(repo, 'bundle-cli-training-jobs.json'), 'utf8'));
  const now = Date.now();
  const shift = now - Math.max(...samples.map((j) => j.createdAt)) - 60_000;
  const jobs = Array.from({ length: 40 }, (_, i) => {
    const job = JSON.parse(JSON.stringify(samples[i % samples.length]));
    for (const key of ['createdAt']) job[key] += shift;
    for (const key of ['startedAt', 'endedAt']) if (typeof job.state[key] === 'number') job.state[key] += shift;
    return { ...job, id: i + 1, name: `${job.name}-${i + 1}` };
  });
  const answer = (method, params) => {
    if (method === 'hello') return { result: hello() };
    if (method === 'list') return { result: jobs };
    if (method === 'rows') return { result: jobs.map(rowOf) };
    if (method === 'status' || method === 'track') return { result: jobs[0] };
    // down (and up's stop of a changed entry): each job named stopped at once, as kill answers.
    if (method === 'kill') return { result: (params?.jobs ?? []).map((ref, i) => ({ ref, ok: true, id: i + 1, state: 'killed', signal: 'SIGTERM', signalled: [], forced: [] })) };
    return { error: { code: -32601, message: `${method}: not answered by the training stand-in` } };
  };
  const server = createServer((conn) => {
    let buffered = '';
    conn.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const req = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        conn.write(`${JSON.stringify({ jsonrpc: '2.0', id: req.id, ...answer(req.method, req.params) })}\n`);
      }
    });
    conn.on('error', () => undefined);
  });
  await new Promise((resolve) => server.listen(socket, resolve));
  return server;
}
