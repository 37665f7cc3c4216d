// 200 MB from one child into the log, side by side in one run: the child is `cat` of a file of
// random text in the page cache (so the child itself costs next to nothing), its stdout kept by
// procd (native and Perl shim), pm2 (out_file) and supervisord (stdout_logfile without rotation),
// and the same `cat` redirected to a file by sh. Before each of a tool's rounds the plain
// redirect is timed (median of three), and the tool's figure is the median of its per-round
// ratios (the machine is shared: a ratio of neighbouring runs drifts less than absolute times).
// A tool's time runs from its start call until the job has ended (procd: wait returns) or its
// log file holds every byte (pm2, supervisord); then the stored bytes are compared with the
// source (SHA-256, not timed). A log that stops growing short of every byte is lost output.
// The redirect is `cat > file`, which GNU cat (9.x) does with copy_file_range(2): one in-kernel copy,
// where any capture through a pipe costs three (cat reads, writes into the pipe, the shim splices
// out). So the native shim's row also gives the shim alone, exec'd on a job directory without the
// daemon (its copy, its start and its exit file's fsync), beside the track + wait of a job that
// writes nothing (the daemon's fixed part); and a row with a child that writes its output with
// write(2) (`dd bs=64K`), compared with the same child redirected: what a job producing output costs.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { redirectMs, run, withPm2, withSupervisord } from './peer-tools.mjs';
import { median } from './stats.mjs';

const REPO = resolve(import.meta.dirname, '..');
const CLI = join(REPO, 'dist/client/cli/main.js');
const NATIVE_SHIM = join(REPO, 'dist/shim/procd-shim');
const { writeSpawnSpec } = await import(join(REPO, 'dist/daemon/output/spawn-spec.js'));
const { segmentSizeFor } = await import(join(REPO, 'dist/daemon/jobs/launcher.js'));

async function sha256(stream) {
  const h = createHash('sha256');
  for await (const chunk of stream) h.update(chunk);
  return h.digest('hex');
}
const fileHash = (path) => sha256(createReadStream(path));

const ALPHABET = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');

/**
 * Random printable lines of 100 bytes: pm2 decodes its children's output as UTF-8 (random binary
 * bytes come out changed and longer), so text is what every tool can keep byte for byte.
 */
function sourceFile(dir, bytes) {
  const src = join(dir, 'source');
  const fd = openSync(src, 'w');
  const buf = Buffer.alloc(1 << 20);
  for (let left = bytes; left > 0; left -= buf.length) {
    randomFillSync(buf);
    for (let i = 0; i < buf.length; i++) buf[i] = i % 100 === 99 ? 10 : ALPHABET[buf[i] & 63];
    writeSync(fd, buf, 0, Math.min(left, buf.length));
  }
  closeSync(fd);
  spawnSync('cat', [src], { stdio: ['ignore', 'ignore', 'ignore'] }); // into the page cache
  return src;
}

const fileSize = (path) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

/** A log that stopped growing short of every byte: the tool lost output (pm2 7 does, now and then). */
class LostOutput extends Error {
  constructor(kept, bytes) {
    super(`kept ${kept} of ${bytes} bytes (the log stopped growing for ${STALL_MS / 1000} s)`);
    this.kept = kept;
  }
}
const STALL_MS = 15_000;

/** Polls until the file holds `bytes` bytes; LostOutput when it stops growing short of that. */
async function untilSize(path, bytes) {
  let last = -1;
  let since = Date.now();
  for (let size = fileSize(path); size < bytes; size = fileSize(path)) {
    if (size !== last) [last, since] = [size, Date.now()];
    else if (Date.now() - since > STALL_MS) throw new LostOutput(size, bytes);
    await delay(5);
  }
}

/** ms for the native shim alone to run `cat src` into a fresh job directory (exec'd, no daemon), checked byte count. */
async function shimAloneMs(src, bytes, dir, child) {
  const jobDir = join(dir, 'shim-alone');
  mkdirSync(jobDir);
  try {
    const maxOutputBytes = 256 << 20;
    await writeSpawnSpec(jobDir, { argv: child(src), cwd: '/', env: { PATH: process.env.PATH }, maxOutputBytes, segmentBytes: segmentSizeFor(maxOutputBytes) });
    const t = performance.now();
    const r = spawnSync(NATIVE_SHIM, [jobDir], { stdio: ['ignore', 'ignore', 'ignore'] });
    const ms = performance.now() - t;
    const closed = JSON.parse(readFileSync(join(jobDir, 'closed'), 'utf8'));
    if (r.status !== 0 || closed.stdoutBytes !== bytes) throw new Error(`the native shim alone: status ${r.status}, kept ${closed.stdoutBytes} of ${bytes} bytes`);
    return ms;
  } finally {
    rmSync(jobDir, { recursive: true, force: true });
  }
}

/** The child of every round: `cat SRC` (a plain redirect of it is GNU cat's in-kernel copy_file_range). */
const catChild = (src) => ['cat', src];
/**
 * A child that writes its output with write(2), as a program producing output does: `dd` copies
 * through its own 64 KiB buffer whatever its stdout is, so the redirect it is compared with costs
 * two copies (read, write) where a capture through a pipe costs three (read, write, splice).
 */
const writerChild = (src) => ['dd', `if=${src}`, 'bs=64K', 'status=none'];

/** procd: one daemon per shim kind, a round = track the child + wait; the log read back with `procd logs`. */
function procdTool(withDaemon, shim, child = catChild) {
  return async (src, bytes, roundsDo) =>
    withDaemon({ PROCD_SHIM: shim }, async ({ client, env }) => {
      const st = await client.daemonStatus({});
      if (st.shim.kind !== shim) throw new Error(`asked for the ${shim} shim, the daemon runs the ${st.shim.kind} one: ${st.shim.why}`);
      const trackAndWait = async (argv) => {
        const job = await client.track({ argv, cwd: '/', env: { PATH: process.env.PATH }, maxOutputBytes: 256 << 20 });
        return { job, done: (await client.wait({ jobs: [job.id] }, { timeoutMs: null })).jobs[0] };
      };
      return roundsDo(async () => {
        // The fixed part (the track call, the shim's start, the end's report), for the note.
        const t0 = performance.now();
        await trackAndWait(['cat', '/dev/null']);
        const fixedMs = performance.now() - t0;
        const t = performance.now();
        const { job, done } = await trackAndWait(child(src));
        const ms = performance.now() - t;
        if (done.output.stdoutBytes !== bytes) throw new Error(`procd (${shim}) kept ${done.output.stdoutBytes} of ${bytes} bytes`);
        const reader = spawn(process.execPath, [CLI, 'logs', String(job.id), '--stream', 'stdout'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
        const hash = await sha256(reader.stdout);
        await client.rm({ jobs: [job.id] }).catch(() => undefined); // keep the disk use of the rounds down
        const aloneMs = shim === 'native' ? await shimAloneMs(src, bytes, dirname(src), child) : undefined;
        return { ms, hash, fixedMs, aloneMs };
      });
    });
}

/** pm2: a round = `pm2 start` of a one-app ecosystem file whose out_file is the log. */
async function pm2Tool(src, bytes, roundsDo) {
  return withPm2(async ({ pm2, env, home }) => {
    let r = 0;
    return roundsDo(async () => {
      const out = join(home, `out${r}.log`);
      const eco = join(home, `eco${r}.config.js`);
      writeFileSync(eco, `module.exports = ${JSON.stringify({ apps: [{ name: `o${r}`, script: 'cat', args: src, interpreter: 'none', autorestart: false, out_file: out, error_file: join(home, `err${r}.log`) }] })};\n`);
      r++;
      try {
        const t = performance.now();
        await run(pm2, ['start', eco], { env });
        await untilSize(out, bytes);
        const ms = performance.now() - t;
        return { ms, hash: await fileHash(out) };
      } finally {
        await run(pm2, ['delete', 'all'], { env });
        rmSync(out, { force: true });
      }
    });
  });
}

/** supervisord: a round = `supervisorctl start oR`, one program per round with its own log file. */
function supervisordTool(rounds) {
  return async (src, bytes, roundsDo) => {
    const logDir = mkdtempSync(join(tmpdir(), 'procd-bench-svlog-'));
    const programs = Array.from({ length: rounds }, (_, i) =>
      `[program:o${i}]\ncommand=cat ${src}\nautostart=false\nautorestart=false\nstartsecs=0\nstdout_logfile=${logDir}/o${i}.log\nstdout_logfile_maxbytes=0\nstdout_logfile_backups=0\n`).join('\n');
    try {
      return await withSupervisord(programs, async ({ ctl }) => {
        let r = 0;
        return roundsDo(async () => {
          const out = join(logDir, `o${r}.log`);
          const name = `o${r++}`;
          try {
            const t = performance.now();
            await ctl(['start', name]);
            await untilSize(out, bytes);
            const ms = performance.now() - t;
            return { ms, hash: await fileHash(out) };
          } finally {
            rmSync(out, { force: true });
          }
        });
      });
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
  };
}

/** Rows for run.mjs's record(): per tool, the median ratio to a plain redirect, and whether every byte was kept. */
export async function benchOutputPeers(withDaemon, rounds, bytes = 200_000_000) {
  const dir = mkdtempSync(join(tmpdir(), 'procd-bench-out-'));
  const tools = {
    'procd, native shim': procdTool(withDaemon, 'native'),
    'procd, Perl shim': procdTool(withDaemon, 'perl'),
    'procd, native shim, a child that writes (dd bs=64K)': Object.assign(procdTool(withDaemon, 'native', writerChild), { child: writerChild }),
    pm2: pm2Tool,
    supervisord: supervisordTool(rounds),
  };
  // PROCD_BENCH_TOOLS=procd (or procd,pm2 …) runs only those, as in peers100.mjs.
  const only = (process.env.PROCD_BENCH_TOOLS ?? 'procd,pm2,supervisord').split(',');
  for (const name of Object.keys(tools)) if (!only.includes(name.split(',')[0])) delete tools[name];
  const rows = [];
  try {
    const src = sourceFile(dir, bytes);
    const want = await fileHash(src);
    for (const [name, tool] of Object.entries(tools)) {
      const ratios = [];
      const times = [];
      const plain = [];
      const fixed = [];
      const alone = [];
      const lost = [];
      let exact = true;
      try {
        await tool(src, bytes, async (oneRound) => {
          for (let r = 0; r < rounds; r++) {
            // The redirect takes only ~0.1 s here, so one run of it is noisy: the median of three.
            const argv = (tool.child ?? catChild)(src);
            const base = median([redirectMs(src, dir, argv), redirectMs(src, dir, argv), redirectMs(src, dir, argv)]);
            let round;
            try {
              round = await oneRound();
            } catch (err) {
              if (!(err instanceof LostOutput)) throw err;
              lost.push(`round ${r + 1}: ${err.message}`);
              exact = false;
              continue;
            }
            const { ms, hash, fixedMs, aloneMs } = round;
            if (fixedMs !== undefined) fixed.push(fixedMs);
            if (aloneMs !== undefined) alone.push(aloneMs);
            exact &&= hash === want;
            plain.push(base);
            times.push(ms);
            ratios.push(ms / base);
          }
        });
        if (!ratios.length) throw new Error(`output lost in every round: ${lost.join('; ')}`);
        const ratio = median(ratios);
        const isProcd = name.startsWith('procd');
        rows.push([`${bytes / 1e6} MB from one child into the log, ratio to a plain redirect — ${name}`, Number(ratio.toFixed(2)), '×', isProcd ? '≤ 1.5×, byte-exact' : 'byte-exact', isProcd ? ratio <= 1.5 && exact : exact,
          `${exact ? 'byte-exact' : `NOT byte-exact${lost.length ? ` (${lost.join('; ')})` : ': the bytes kept differ from the source'}`}; median of the ${ratios.length} complete rounds of ${rounds}: ${Math.round(median(times))} ms vs ${(tool.child ?? catChild)('SRC').join(' ')} > file ${Math.round(median(plain))} ms (ratios ${ratios.map((x) => x.toFixed(2)).join('/')})` +
            (fixed.length ? `; track + wait of \`cat /dev/null\` alone: ${Math.round(median(fixed))} ms` : '') +
            (alone.length ? `; the shim alone, no daemon: ${Math.round(median(alone))} ms (${(median(alone) / median(plain)).toFixed(2)}×)` : '')]);
      } catch (err) {
        rows.push([`${bytes / 1e6} MB from one child into the log — ${name}`, 'not measured', '', '', null, String(err?.message ?? err)]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
