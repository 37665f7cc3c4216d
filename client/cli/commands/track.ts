import { resolve } from 'node:path';
import { formatBytes, formatDuration } from '../../../shared/duration.js';
import { hasLiveProcess, isSpawnFailure, isTerminal, type JobView } from '../../../shared/job.js';
import type { ParamsIn } from '../../../shared/methods.js';
import { clientEnvironment } from '../../client-env.js';
import { callWithReconnect } from '../../reconnect.js';
import { flag, str, strs, type CommandDef } from '../command.js';
import { EXIT, ExitError, jobExitCode } from '../exit-codes.js';
import { jobEndLine } from '../job-end-line.js';
import { paint } from '../output.js';
import { durationOption, LIMITS, nameOption, sizeOption } from '../parse.js';
import { limitOptions } from '../limit-options.js';
import { probeOptions } from '../probe-options.js';
import { restartOptions } from '../restart-options.js';
import { stdoutIsTTY } from '../stdout.js';
import { printJob } from './status.js';
import { waitForJob } from '../track-wait.js';

/** track: start a command under supervision and print its job id. */
export const command: CommandDef = {
  async run(ctx) {
    const { values, positionals, out } = ctx;
    const follow = flag(values, 'follow');
    const wait = follow || flag(values, 'wait');
    if (follow && out.json) throw new ExitError(EXIT.usage, "--follow prints the job's own output, not JSON: leave out --json (procd logs ID --json gives the output as JSON)");
    const shell = str(values, 'shell');
    if (shell !== undefined && positionals.length > 0) throw new ExitError(EXIT.usage, 'give either --shell STRING or a command after --, not both');
    if (shell === undefined && positionals.length === 0) throw new ExitError(EXIT.usage, 'missing command: procd track -- CMD [ARGS...]');
    const env: Record<string, string> = flag(values, 'clean-env') ? {} : clientEnvironment();
    for (const pair of strs(values, 'env')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new ExitError(EXIT.usage, `--env: "${pair}" is not K=V`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const params: ParamsIn<'track'> = { cwd: resolve(str(values, 'cwd') ?? currentDirectory()), env };
    if (shell !== undefined) params.shell = shell;
    else params.argv = positionals;
    const name = nameOption(str(values, 'name'));
    if (name !== undefined) params.name = name;
    if (flag(values, 'replace')) params.replace = true;
    if (flag(values, 'ensure')) params.ensure = true;
    // Without --owner the library sends PROCD_OWNER (client/session.ts), for up's tracks too.
    const owner = str(values, 'owner');
    if (owner !== undefined) params.owner = owner;
    const description = str(values, 'description');
    if (description !== undefined) params.description = description;
    const tags = strs(values, 'tag');
    if (tags.length) params.tags = tags;
    if (str(values, 'timeout') !== undefined && str(values, 'max-runtime') !== undefined) throw new ExitError(EXIT.usage, '--max-runtime is --timeout: give one of them');
    const runtimeOption = str(values, 'max-runtime') === undefined ? 'timeout' : 'max-runtime';
    const timeoutMs = durationOption(runtimeOption, str(values, runtimeOption), { min: 1, belowMinHint: `leave --${runtimeOption} out for no timeout` });
    if (timeoutMs !== undefined) params.timeoutMs = timeoutMs;
    const expectMs = durationOption('expect', str(values, 'expect'), { min: 1, belowMinHint: 'leave --expect out for no expectation' });
    if (expectMs !== undefined) params.expectMs = expectMs;
    const stuckAfterMs = durationOption('stuck-after', str(values, 'stuck-after'));
    if (stuckAfterMs !== undefined) params.stuckAfterMs = stuckAfterMs;
    const maxOutputBytes = sizeOption('max-output', str(values, 'max-output'), { min: LIMITS.minOutputBytes, max: LIMITS.maxOutputBytes });
    if (maxOutputBytes !== undefined) params.maxOutputBytes = maxOutputBytes;
    if (flag(values, 'service')) params.kind = 'service';
    // An unknown signal is refused by the daemon (BadSignal, exit 2), as for kill --signal.
    const stopSignal = str(values, 'stop-signal');
    if (stopSignal !== undefined) params.stopSignal = stopSignal;
    const stopGraceMs = durationOption('grace', str(values, 'grace'), { max: LIMITS.stopGraceMs });
    if (stopGraceMs !== undefined) params.stopGraceMs = stopGraceMs;
    const limits = limitOptions(values);
    if (limits) params.limits = limits;
    const restart = restartOptions(values);
    if (restart) params.restart = restart;
    const probes = probeOptions(values);
    if (probes) params.probes = probes;
    const after = strs(values, 'after');
    if (after.length) params.after = after;
    const group = str(values, 'group');
    if (group !== undefined) params.group = group;
    // A bad level is refused by the daemon with the levels it takes (InvalidParams, exit 2).
    const priority = str(values, 'priority');
    if (priority !== undefined) params.priority = /^-?\d+$/.test(priority) ? Number(priority) : priority;

    const waitFor = strs(values, 'wait-for');
    if (waitFor.length && wait) throw new ExitError(EXIT.usage, `--wait-for waits for a condition, --${follow ? 'follow' : 'wait'} for the end: give one (--wait-for exit waits for the end too)`);
    const waitTimeout = durationOption('wait-timeout', str(values, 'wait-timeout'));
    if (waitTimeout !== undefined && !waitFor.length) throw new ExitError(EXIT.usage, '--wait-timeout applies to --wait-for CONDITION');

    // From the full CLI (the bin loads cli.js only for --wait-for): checked before anything starts.
    const problem = waitFor.length ? (await import('../cli.js')).waitConditionsProblem(waitFor, probes?.ready !== undefined) : null;
    if (problem) throw new ExitError(EXIT.usage, problem);

    // track itself is never repeated (it would start the job twice); the wait after it is.
    let job = await (await ctx.client()).track(params);
    if (waitFor.length && !isSpawnFailure(job.state) && !neverRan(job.state)) {
      if (process.stderr.isTTY && !out.json) out.err(`procd track: job ${job.id} (${job.name}) started; waiting for ${waitFor.join(' or ')} (Ctrl-C stops waiting, not the job)`);
      // From the full CLI (the bin loads cli.js only here): plain `track` stays on the lean path.
      const { runConditionWait } = await import('../cli.js');
      return runConditionWait(ctx, { refs: [job.id], conditions: waitFor, all: false, newOutput: false, timeoutMs: waitTimeout === 0 ? null : waitTimeout, env: false, who: 'procd track' });
    }
    // Also for a job that has already ended (a fast job under the native shim ends before track
    // answers): the id still comes first, and --follow still prints what it wrote.
    if (wait && !isSpawnFailure(job.state)) {
      const waited = await waitForJob(ctx, job, { follow, announce: process.stderr.isTTY === true && !out.json });
      if (typeof waited === 'number') return waited;
      job = waited;
    }
    if (out.json) out.printJson(job);
    else if (isSpawnFailure(job.state)) {
      out.err(`job ${job.id} (${job.name}) failed to start: ${job.state.spawnError.code}: ${job.state.spawnError.message}`);
    } else if (neverRan(job.state)) {
      out.err(`job ${job.id} (${job.name}) will not run: ${job.state.outcomeDetail ?? job.state.outcome}`);
    } else if (follow) {
      // stdout carried the job's own bytes: how it ended goes to a terminal's stderr only.
      if (process.stderr.isTTY) out.err(`procd track: ${endSummary(job, false)}`);
    } else if (wait) {
      if (stdoutIsTTY()) out.out(endSummary(job, true));
      else printJob(out, job, false);
    } else if (!stdoutIsTTY()) {
      out.out(String(job.id)); // `id=$(procd track -- ...)` gets the id and nothing else
    } else {
      const what = job.reused ? `reused (--ensure), ${job.state.kind}` : `output cap ${formatBytes(job.spec.maxOutputBytes)} per stream`;
      out.out(`${paint(out, 'bold', String(job.id))}  ${job.name}  pid ${hasLiveProcess(job.state) ? job.state.pid : '-'}  (${what})`);
    }
    if (isSpawnFailure(job.state)) return jobExitCode(job) ?? EXIT.error;
    if (neverRan(job.state)) return EXIT.error;
    return wait ? (jobExitCode(job) ?? EXIT.error) : EXIT.ok;
  },
};

/** Ended before it could run: a dependency (`--after`) that can no longer be met. */
function neverRan(s: JobView['state']): s is Extract<JobView['state'], { kind: 'failed' }> {
  return s.kind === 'failed' && s.outcome === 'dependency_failed';
}

/** One line on a terminal instead of status's whole block: how it ended, how long it took, where its output is. */
function endSummary(job: JobView, pointToLogs: boolean): string {
  const s = job.state;
  const line = jobEndLine(job) ?? `job ${job.id} (${job.name}) ${s.kind}`;
  const took = isTerminal(s) ? ` after ${formatDuration(s.durationMs)}` : '';
  const wrote = pointToLogs && job.output.stdoutBytes + job.output.stderrBytes > 0 ? `; output: procd logs ${job.id}` : '';
  return `${line}${took}${wrote}`;
}

/** The shell's current directory; a directory deleted under the shell is a clear error, not a crash. */
function currentDirectory(): string {
  try {
    return process.cwd();
  } catch {
    throw new ExitError(EXIT.error, 'the current directory no longer exists; cd somewhere else or give --cwd DIR');
  }
}
