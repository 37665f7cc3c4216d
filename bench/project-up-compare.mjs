// `procd up` / `procd down` of a 100-entry procd.yaml, two (or more) builds side by side in
// alternating rounds, so load swings on a shared machine hit each alike: per round and build a warm
// daemon of that build, two up + down pairs, each timed until all 100 run / none is left (wall), and
// the CPU time (user + sys, bash's `time`) of the CLI process itself. Medians at the end.
// usage: PROCD_BENCH_ARG=413313 node bench/project-up-compare.mjs ROUNDS REPO_A REPO_B ...
// (each REPO a built checkout; give PROCD_BENCH_ARG when another bench runs on the machine.)

import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { median } from './stats.mjs';

const run = promisify(execFile);
const N = 100;
const [roundsText, ...given] = process.argv.slice(2);
const rounds = Number(roundsText);
if (!Number.isInteger(rounds) || rounds < 1 || given.length < 1) throw new Error('usage: node bench/project-up-compare.mjs ROUNDS REPO_A [REPO_B ...]');
const repos = given.map((r) => resolve(r));
const res = new Map(repos.map((r) => [r, { up: [], down: [], upCpu: [], downCpu: [] }]));
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ')[0];

for (let r = 0; r < rounds; r++) {
  for (const repo of repos) {
    const { withDaemon } = await import(join(repo, 'bench/with-daemon.mjs'));
    const { timePhase } = await import(join(repo, 'bench/peers100.mjs'));
    const { ARG, killSleepers } = await import(join(repo, 'bench/peer-tools.mjs'));
    const cliFile = join(repo, 'dist/client/cli/main.js');
    const x = res.get(repo);
    try {
      await withDaemon({}, async ({ home, env, client }) => {
        const dir = join(home, 'bench-project');
        mkdirSync(dir);
        writeFileSync(join(dir, 'procd.yaml'), `name: bench\njobs:\n${Array.from({ length: N }, (_, i) => `  s${i}:\n    command: [sleep, "${ARG}"]\n`).join('')}`);
        const cli = async (args, cpu) => {
          const out = await run('bash', ['-c', `TIMEFORMAT='%U %S'; time '${process.execPath}' '${cliFile}' ${args} >/dev/null`], { cwd: dir, env });
          const [user, sys] = out.stderr.trim().split('\n').at(-1).split(' ').map(Number);
          cpu.push((user + sys) * 1000);
        };
        await cli('ls', []); // the daemon answers once before the rounds
        for (let k = 0; k < 2; k++) {
          x.up.push(await timePhase(() => cli('up', x.upCpu), (n) => n === N));
          x.down.push(await timePhase(() => cli('down', x.downCpu), (n) => n === 0));
          await client.prune({});
        }
      });
    } finally {
      killSleepers();
    }
    const last = (xs) => xs.slice(-2).map(Math.round).join('/');
    console.log(`round ${r + 1} ${repo}: up ${last(x.up)} ms (CLI CPU ${last(x.upCpu)}), down ${last(x.down)} ms (CLI CPU ${last(x.downCpu)}); load ${load()}`);
  }
}
for (const [repo, x] of res) {
  console.log(`${repo}: median up ${Math.round(median(x.up))} ms, CLI CPU ${Math.round(median(x.upCpu))} ms; down ${Math.round(median(x.down))} ms, CLI CPU ${Math.round(median(x.downCpu))} ms (${x.up.length} each)`);
}
