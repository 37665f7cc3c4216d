// "start 100 until all run" and "stop 100 in one call until none is left", side by side in one
// run: procd (100 concurrent library calls; one kill call), pm2 (one ecosystem file; `pm2 delete
// all`) and supervisord (`supervisorctl start` by name; `supervisorctl stop all`). Every tool
// runs the same `sleep 412345`; a phase ends when its call has returned and /proc shows all 100
// running (start) or none left (stop). Medians over ROUNDS rounds of start + stop, each tool's
// own daemon kept warm across rounds (its start-up is not measured).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { ARG, haveSupervisord, killSleepers, run, sleepers, withPm2, withSupervisord } from './peer-tools.mjs';

export { installPm2, sleepers } from './peer-tools.mjs';

const N = 100;

/** ms from now until `call` has resolved and `count()` satisfies `done` (polled; deadline 60 s). */
export async function timePhase(call, done) {
  const t0 = performance.now();
  let returned = false;
  const p = call().then(() => (returned = true));
  const deadline = Date.now() + 60_000;
  while (!(returned && done(sleepers().length))) {
    if (Date.now() > deadline) throw new Error(`phase did not finish (call returned: ${returned}, ${sleepers().length} running)`);
    await Promise.race([p, delay(5)]);
  }
  return performance.now() - t0;
}

/**
 * procd: start = 100 concurrent track() calls; stop = one kill() of all 100. `env` is added to the
 * daemon's (PROCD_SHIM, PROCD_CONTAINMENT); `daemon` says which shim and containment it used.
 */
export async function procdRounds(withDaemon, rounds, daemonEnv = {}) {
  if (sleepers().length) throw new Error(`${sleepers().length} \`sleep ${ARG}\` processes already run: end them first`);
  const start = [];
  const stop = [];
  let daemon = null;
  try {
    await withDaemon(daemonEnv, async ({ client }) => {
      const st = await client.daemonStatus({});
      daemon = { shim: st.shim.kind, shimWhy: st.shim.why, containment: st.containment?.kind ?? 'pgroup', containmentWhy: st.containment?.why ?? '' };
      const env = { PATH: process.env.PATH };
      for (let r = 0; r < rounds; r++) {
        let ids = [];
        start.push(await timePhase(async () => (ids = (await Promise.all(Array.from({ length: N }, () => client.track({ argv: ['sleep', ARG], cwd: '/', env })))).map((j) => j.id)), (n) => n === N));
        stop.push(await timePhase(() => client.kill({ jobs: ids }, { timeoutMs: 120_000 }), (n) => n === 0));
        await client.prune({});
      }
    });
  } finally {
    killSleepers(); // the jobs carry no PROCD_HOME for withDaemon to find them by
  }
  return { start, stop, daemon };
}

/** pm2: start = `pm2 start` of a 100-app ecosystem file; stop = `pm2 delete all`. */
async function pm2Rounds(rounds) {
  const start = [];
  const stop = [];
  try {
    await withPm2(async ({ pm2, env, home }) => {
      const eco = join(home, 'eco.config.js');
      const apps = Array.from({ length: N }, (_, i) => ({ name: `s${i}`, script: 'sleep', args: ARG, interpreter: 'none', autorestart: false }));
      writeFileSync(eco, `module.exports = ${JSON.stringify({ apps })};\n`);
      for (let r = 0; r < rounds; r++) {
        start.push(await timePhase(() => run(pm2, ['start', eco], { env }), (n) => n === N));
        stop.push(await timePhase(() => run(pm2, ['delete', 'all'], { env }), (n) => n === 0));
      }
    });
  } finally {
    killSleepers();
  }
  return { start, stop };
}

/** supervisord: start = `supervisorctl start s0 … s99`; stop = `supervisorctl stop all`. */
async function supervisordRounds(rounds) {
  const programs = Array.from({ length: N }, (_, i) => `[program:s${i}]\ncommand=sleep ${ARG}\nautostart=false\nautorestart=false\nstartsecs=0\n`).join('\n');
  const start = [];
  const stop = [];
  try {
    await withSupervisord(programs, async ({ ctl }) => {
      const names = Array.from({ length: N }, (_, i) => `s${i}`);
      for (let r = 0; r < rounds; r++) {
        start.push(await timePhase(() => ctl(['start', ...names]), (n) => n === N));
        stop.push(await timePhase(() => ctl(['stop', 'all']), (n) => n === 0));
      }
    });
  } finally {
    killSleepers();
  }
  return { start, stop };
}

/**
 * Runs every tool's rounds; returns tool → { start: ms[], stop: ms[] } (or { error }). `procdFn`
 * measures procd's side (100 library calls by default; project-up.mjs passes `procd up`/`down`).
 */
export async function measurePeers100(withDaemon, rounds, procdFn = procdRounds) {
  if (sleepers().length) throw new Error(`${sleepers().length} \`sleep ${ARG}\` processes already run: end them first`);
  const out = {};
  const attempt = async (name, fn) => {
    try {
      out[name] = await fn();
    } catch (err) {
      out[name] = { error: String(err?.message ?? err) };
      killSleepers();
    }
  };
  // PROCD_BENCH_TOOLS=procd (or procd,pm2 …) runs only those, e.g. to compare two procd builds.
  const tools = (process.env.PROCD_BENCH_TOOLS ?? 'procd,pm2,supervisord').split(',');
  if (tools.includes('procd')) await attempt('procd', () => procdFn(withDaemon, rounds));
  if (tools.includes('pm2')) await attempt('pm2', () => pm2Rounds(rounds));
  if (!tools.includes('supervisord')) return out;
  if (haveSupervisord()) await attempt('supervisord', () => supervisordRounds(rounds));
  else out.supervisord = { error: 'not installed (Debian: apt-get install supervisor)' };
  return out;
}
