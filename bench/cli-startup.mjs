#!/usr/bin/env node
// CLI start-up, whole process, as a ratio to `node -e 0` measured in the same rounds (each round
// runs every command once, in rotating order, so the machine's load hits them alike); medians.
// Used by bench/run.mjs (`npm run bench -- --only cliStartup`), or alone:
//   node bench/cli-startup.mjs [--runs N] [--cli path/to/main.js] [--compare path/to/other/main.js] [--node-options "..."]
// --compare runs another build's bin in the same rounds (an A/B that the machine's load hits alike;
// keep that build inside a copy of the repo's dist/ so it finds its package.json).
// Its own daemon in a temporary PROCD_HOME with 100 jobs (50 running, 50 ended), stopped after.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './stats.mjs';

const REPO = resolve(import.meta.dirname, '..');
const round = (x, d = 2) => Number(x.toFixed(d));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Returns rows [name, value, unit, target, met, note] for bench/run.mjs's record(). */
export async function benchCliStartup({ runs = 21, cli = join(REPO, 'dist/client/cli/main.js'), compare = null, nodeOptions = '' } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'procd-bench-cli-'));
  const env = { ...process.env, PROCD_HOME: home, NODE_OPTIONS: nodeOptions };
  delete env.PROCD_SOCKET;
  const run = (args, check = true) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = performance.now() - t;
    if (check && r.status !== 0) throw new Error(`node ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return { ms, stdout: r.stdout.toString() };
  };
  const { connect } = await import(join(REPO, 'dist/client/index.js'));
  const { resolvePaths } = await import(join(REPO, 'dist/shared/paths.js'));
  const client = await connect({ paths: resolvePaths(env), autostart: true, callTimeoutMs: 120_000 });
  try {
    const start = (argv) => client.track({ argv, cwd: '/' });
    const running = await Promise.all(Array.from({ length: 50 }, () => start(['sleep', '600'])));
    const ended = await Promise.all(Array.from({ length: 50 }, () => start(['true'])));
    await client.wait({ jobs: ended.map((j) => j.id) });
    const commands = {
      'node -e 0': ['-e', '0'],
      'procd ls --all': [cli, 'ls', '--all'],
      'procd status ID': [cli, 'status', String(running[0].id)],
      'procd track -- true': [cli, 'track', '--', 'true'],
      ...(compare
        ? { 'compare: procd ls --all': [compare, 'ls', '--all'], 'compare: procd status ID': [compare, 'status', String(running[0].id)], 'compare: procd track -- true': [compare, 'track', '--', 'true'] }
        : {}),
    };
    const names = Object.keys(commands);
    for (const name of names) run(commands[name]); // warm the file cache
    const times = Object.fromEntries(names.map((n) => [n, []]));
    for (let i = 0; i < runs; i++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(i + k) % names.length];
        times[name].push(run(commands[name]).ms);
      }
    }
    const base = median(times['node -e 0']);
    const ratio = (name) => median(times[name]) / base;
    const note = (name) => `median ${round(median(times[name]), 1)} ms vs node -e 0 ${round(base, 1)} ms, ${runs} rounds${nodeOptions ? `, NODE_OPTIONS=${nodeOptions}` : ''}`;
    const compared = compare
      ? ['procd ls --all', 'procd status ID', 'procd track -- true'].map((n) => [`${n}, --compare ${compare}`, round(ratio(`compare: ${n}`)), '×', '', null, note(`compare: ${n}`)])
      : [];
    return [
      ...compared,
      ['`procd ls` whole process (100 jobs), ratio to `node -e 0`', round(ratio('procd ls --all')), '×', '≤ 1.25×', ratio('procd ls --all') <= 1.25, note('procd ls --all')],
      ['`procd status ID` whole process, ratio to `node -e 0`', round(ratio('procd status ID')), '×', '', null, note('procd status ID')],
      ['`procd track -- true` whole process, ratio to `node -e 0`', round(ratio('procd track -- true')), '×', '≤ 1.5×', ratio('procd track -- true') <= 1.5, note('procd track -- true')],
    ];
  } finally {
    const pid = client.daemon.pid;
    await client.daemonStop({}).catch(() => {});
    client.close();
    // The daemon writes its last snapshot after it has answered: wait for it to exit.
    for (const deadline = Date.now() + 30_000; Date.now() < deadline && alive(pid); ) await new Promise((r) => setTimeout(r, 25));
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) {
  const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);
  const compare = arg('--compare', null);
  const rows = await benchCliStartup({ runs: Number(arg('--runs', '21')), cli: resolve(arg('--cli', join(REPO, 'dist/client/cli/main.js'))), compare: compare && resolve(compare), nodeOptions: arg('--node-options', '') });
  for (const [name, value, unit, target, met, note] of rows) console.log(`${name}: ${value}${unit}${target ? ` (target ${target}: ${met ? 'met' : 'NOT met'})` : ''} — ${note}`);
  process.exit(0);
}
