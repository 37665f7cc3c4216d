// The bin's V8 code cache. esbuild writes the hot commands' bundle to dist/client/cli/hot.js; the
// bin, dist/client/cli/main.js, is the small loader below: it compiles hot.js through vm.Script
// with the bytecode V8 saved after a training run of the same command (hot.ls.v8cache,
// hot.status.v8cache, hot.track.v8cache, written here at build time against a stand-in daemon).
// V8 then neither pre-parses the 92 KB file nor compiles the functions `ls` runs: on Node 20,
// ~23 of the ~84 million instructions `procd ls --all` executes beyond `node -e 0` (README,
// "Benchmarks"). Node 20 has no compile cache of its own; Node 22's caches only what the first
// compile produced, and gained nothing measurable here.
// Safety: V8 checks a cache against its own version, its flags and the source's length only, so
// the loader uses a cache only while hot.js has the size and modification time it had when the
// cache was made (a rebuild, a copy or an edit of hot.js turns it off; V8 refusing it — another
// Node, other V8 flags — costs a normal compile). PROCD_CODE_CACHE=0 turns it off.

import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** The bin: compiles hot.js with the cache of this command when hot.js is the file the cache was made from. */
export function loaderSource(built) {
  return `#!/usr/bin/env node
// The procd bin. The hot commands (ls, status, track) and the hand-over to the full CLI are in
// hot.js; this file compiles it with V8's code cache made at build time (bundle-cli-cache.mjs).
"use strict";
const { readFileSync, statSync, writeFileSync } = require("node:fs");
const { Script } = require("node:vm");
const BUILT = ${JSON.stringify(built)};
const CACHE_OF_WORD = ${JSON.stringify(CACHE_OF_WORD)};
const file = __dirname + "/${HOT_FILE}";
const source = readFileSync(file, "utf8");
const writeTo = process.env.PROCD_CODE_CACHE_WRITE;
let cachedData;
if (!writeTo && process.env.PROCD_CODE_CACHE !== "0") {
  try {
    const st = statSync(file);
    if (st.size === BUILT.size && Math.abs(st.mtimeMs - BUILT.mtimeMs) < 1) cachedData = readFileSync(__dirname + "/hot." + (CACHE_OF_WORD[process.argv[2]] || "ls") + ".v8cache");
  } catch {}
}
// hot.js is already wrapped as Node wraps a CommonJS file (HOT_WRAPPER): compiled as it is, without a copy.
const script = new Script(source, { filename: file, cachedData });
// The build's training run: the bytecode of everything this command compiled, saved at exit.
if (writeTo) process.once("exit", () => writeFileSync(writeTo, script.createCachedData()));
script.runInThisContext()(module.exports, require, module, file, __dirname);
`;
}

/** Writes the bin for the hot.js now in `outDir`, then one trained cache per hot command. Returns the caches written. */
export async function writeBinWithCaches(repo, outDir) {
  const hot = join(outDir, HOT_FILE);
  const { size, mtimeMs } = statSync(hot);
  const bin = join(outDir, 'main.js');
  // The bin compares it to the millisecond: a copy that keeps times (cp -p, cpSync's preserveTimestamps) may round it.
  writeFileSync(bin, loaderSource({ size, mtimeMs }));
  chmodSync(bin, 0o755);
  const written = [];
  const dir = mkdtempSync(join(tmpdir(), 'procd-code-cache-'));
  const server = await standIn(repo, join(dir, 'procd.sock'));
  try {
    for (const [name, args] of Object.entries(TRAINING)) {
      const out = join(outDir, cacheFile(name));
      const code = await run(bin, args, { PROCD_SOCKET: join(dir, 'procd.sock'), PROCD_CODE_CACHE_WRITE: out });
      if (code === 0 && existsSync(out)) written.push(cacheFile(name));
      else rmSync(out, { force: true });
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return written;
}

function run(bin, args, env) {
  const full = { ...process.env, PROCD_NO_AUTOSTART: '1', NODE_OPTIONS: '', ...env };
  delete full.PROCD_HOME;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: full, stdio: 'ignore' });
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
  const samples = JSON.parse(readFileSync(join(repo, 'bundle-cli-training-jobs.json'), 'utf8'));
  const now = Date.now();
  const shift = now - Math.max(...samples.map((j) => j.createdAt)) - 60_000;
  const jobs = Array.from({ length: 40 }, (_, i) => {
    const job = JSON.parse(JSON.stringify(samples[i % samples.length]));
    for (const key of ['createdAt']) job[key] += shift;
    for (const key of ['startedAt', 'endedAt']) if (typeof job.state[key] === 'number') job.state[key] += shift;
    return { ...job, id: i + 1, name: `${job.name}-${i + 1}` };
  });
  const answer = (method) => {
    if (method === 'hello') return { result: hello() };
    if (method === 'list') return { result: jobs };
    if (method === 'status' || method === 'track') return { result: jobs[0] };
    return { error: { code: -32601, message: `${method}: not answered by the training stand-in` } };
  };
  const server = createServer((conn) => {
    let buffered = '';
    conn.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
        const req = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        conn.write(`${JSON.stringify({ jsonrpc: '2.0', id: req.id, ...answer(req.method) })}\n`);
      }
    });
    conn.on('error', () => undefined);
  });
  await new Promise((resolve) => server.listen(socket, resolve));
  return server;
}
