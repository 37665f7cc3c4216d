// `procd up` of a 100-entry procd.yaml until all 100 run, and `procd down` until none is left (the
// CLI as a user runs it: a process each, its start-up included), side by side in one run with pm2
// (`pm2 start ecosystem.config.js` / `pm2 delete all`, its CLI as well) and supervisord
// (`supervisorctl start` of 100 programs / `stop all`). Every tool runs the same `sleep ARG`;
// medians over rounds, each tool's daemon kept warm (its own start-up is not measured).

import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { measurePeers100, timePhase } from './peers100.mjs';
import { ARG, killSleepers } from './peer-tools.mjs';

const run = promisify(execFile);
const CLI = resolve(import.meta.dirname, '../dist/client/cli/main.js');
const N = 100;

/** procd: `procd up` then `procd down` of a 100-entry file, `rounds` times, against one daemon. */
async function procdUpRounds(withDaemon, rounds) {
  const up = [];
  const down = [];
  try {
    await withDaemon({}, async ({ home, env, client }) => {
      const dir = join(home, 'bench-project');
      mkdirSync(dir);
      const entries = Array.from({ length: N }, (_, i) => `  s${i}:\n    command: [sleep, "${ARG}"]\n`).join('');
      writeFileSync(join(dir, 'procd.yaml'), `name: bench\njobs:\n${entries}`);
      const cli = (args) => run(process.execPath, [CLI, ...args], { cwd: dir, env, maxBuffer: 1 << 24 });
      for (let r = 0; r < rounds; r++) {
        up.push(await timePhase(() => cli(['up']), (n) => n === N));
        down.push(await timePhase(() => cli(['down']), (n) => n === 0));
        await client.prune({});
      }
    });
  } finally {
    killSleepers();
  }
  return { start: up, stop: down };
}

/** tool → { start: ms[], stop: ms[] } (or { error }): peers100's pm2 and supervisord rounds beside `procd up`/`down`. */
export function measureProjectUp(withDaemon, rounds) {
  return measurePeers100(withDaemon, rounds, procdUpRounds);
}
