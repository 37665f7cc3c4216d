#!/usr/bin/env node
// `node bench/mcp-startup.mjs [CLI] [RUNS]`: the median wall time from spawning `procd mcp` to its
// answer to `initialize` (no daemon needed: --no-autostart, and initialize makes no call), beside
// `node -e 0`.
import { spawn } from 'node:child_process';
const [cli = new URL('../dist/client/cli/main.js', import.meta.url).pathname, runs = '11'] = process.argv.slice(2);
const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'b', version: '1' } } }) + '\n';
async function once(args) {
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'] });
  if (args.length > 2) child.stdin.write(init);
  await new Promise((resolve) => { if (args.length <= 2) child.on('exit', resolve); else child.stdout.once('data', resolve); });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  child.stdin.end();
  await new Promise((r) => child.exitCode !== null ? r() : child.on('exit', r));
  return ms;
}
const med = (a) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)];
const base = [], mcp = [];
for (let i = 0; i < Number(runs); i++) { base.push(await once(['-e', '0'])); mcp.push(await once([cli, 'mcp', '--no-autostart'])); }
console.log(`node -e 0: ${med(base).toFixed(0)} ms; procd mcp to initialize answer: ${med(mcp).toFixed(0)} ms (medians of ${runs}); load ${(await import('node:os')).loadavg()[0].toFixed(1)}`);
