import { portsDetail } from '../../../shared/ports.js';
import { formatBytes, formatDuration } from '../../../shared/duration.js';
import { hasLiveProcess, wasStopped, type JobView, type TerminalState } from '../../../shared/job.js';
import type { ParamsOf, ProcessNode } from '../../../shared/methods.js';
import { flag, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { paint, table, type Output } from '../output.js';
import { jobRef } from '../parse.js';
import { commandOf, elapsed, escapeControls, hasCpuReading, stateColor } from '../format-job.js';
import { localTime, plural, when } from '../format-time.js';
import { limitsText, violationText } from '../format-limits.js';
import { probeRows } from '../format-probes.js';
import { progressLine, progressRows } from '../format-progress.js';
import { queueRows } from '../format-queue.js';
import { restartRows } from '../format-restart.js';
import { baselineText } from '../format-history.js';
import type { Baseline } from '../../../shared/history.js';

/** status: every field of one job. */
export const command: CommandDef = {
  async run({ values, positionals, out, client }) {
    if (positionals.length !== 1) throw new ExitError(EXIT.usage, 'give exactly one ID|NAME');
    const ref = jobRef(positionals[0]!);
    const showEnv = flag(values, 'env');
    // The environment's values (tokens among them) are fetched only when asked for, --json too.
    const timeline = flag(values, 'timeline');
    const params: ParamsOf<'status'> = { job: ref, ...(flag(values, 'tree') ? { tree: true } : {}), ...(showEnv ? { env: true } : {}), ...(timeline ? { timeline } : {}) };
    // Sent right behind hello, not after its answer: one round trip less.
    const job = await (await client([{ method: 'status', params }])).status(params);
    if (out.json) out.printJson(job);
    else {
      printJob(out, job, showEnv);
      if (job.tree) printTree(out, job.tree);
      // From the full CLI (the bin loads cli.js only here): plain `status` stays on the lean path.
      if (job.timeline) (await import('../cli.js')).printTimeline(out, job.timeline, job.createdAt);
    }
    return EXIT.ok;
  },
};

function printTree(out: Output, tree: ProcessNode[]): void {
  if (tree.length === 0) {
    out.out('\nno live processes');
    return;
  }
  const rows = tree.map((p) => [String(p.pid), String(p.ppid), p.state, p.cpuPercent === null ? '-' : `${p.cpuPercent.toFixed(0)}%`, formatBytes(p.rssBytes), cgroupNote(p) + p.command]);
  out.out(`\n${table(['PID', 'PPID', 'S', 'CPU', 'RSS', 'COMMAND'], rows, out.width)}`);
}

/** Marks a process only the job's cgroup leads to (before the command, so a cut line keeps it). */
function cgroupNote(p: ProcessNode): string {
  return p.cgroupOnly ? '(cgroup only) ' : '';
}

/** One line for how a finished job ended: `code 3`, `SIGKILL (signal 9), status 137`, or why there is none. */
export function exitLine(s: TerminalState): string {
  if (s.kind === 'failed' && s.spawnError) return `none: it could not start (${s.spawnError.code})`;
  if (s.outcome === 'cancelled') return 'none: stopped before it started';
  if (s.outcome === 'dependency_failed') return 'none: it never started (a job it depends on can no longer succeed)';
  if (s.signal) return `${s.signal.name} (signal ${s.signal.number})${s.exitCode === null ? '' : `, status ${s.exitCode}`}`;
  return s.exitCode === null ? 'unknown: procd could not learn it' : `code ${s.exitCode}`;
}

/** `baseline`: what its command usually takes (status answers it when the history knows). */
export function printJob(out: Output, job: JobView & { baseline?: Baseline }, showEnv: boolean, now = Date.now()): void {
  const s = job.state;
  const time = (ms: number) => when(ms, now);
  const rows: [string, string][] = [
    ['id', String(job.id)],
    ['name', escapeControls(job.name)],
    ['state', paint(out, stateColor(s.kind), s.kind) + (hasLiveProcess(s) && (job.progress || job.eta) ? ` ${progressLine(job.progress, job.eta)}` : '')],
    ['kind', job.spec.kind === 'service' ? 'service (meant to stay up: no stuck or time-sink flag unless asked)' : 'task (runs to an end)'],
    ['command', commandOf(job)],
  ];
  // Text a job's starter chose: shown escaped, so it cannot add rows or send escape sequences to the terminal.
  if (job.spec.command.kind === 'shell') rows.push(['shell', escapeControls(job.spec.command.shell)]);
  if (job.description) rows.push(['description', escapeControls(job.description)]);
  if (job.tags.length) rows.push(['tags', job.tags.join(', ')]);
  // `agent-7 (pid 4242 of claude)`: the owner's name, then what its client said of itself.
  const o = job.owner;
  if (o) rows.push(['owner', o.pid === null ? o.name : `${o.name} (pid ${o.pid}${o.parentName ? ` of ${o.parentName}` : ''})`]);
  rows.push(['cwd', escapeControls(job.spec.cwd)], ['created', time(job.createdAt)]);
  if (s.kind === 'queued') {
    rows.push(['queued', `${time(s.queuedAt)}: ${s.reason.detail}`]);
  } else if (s.kind === 'starting') {
    rows.push(['starting', `since ${time(s.since)}`]);
  } else if (hasLiveProcess(s)) {
    rows.push(['pid', String(s.pid)], ['started', time(s.startedAt)], ['elapsed', elapsed(job, now)]);
    if (s.kind === 'paused') rows.push(['paused', `since ${time(s.pausedAt)}`]);
    // An adopted process has no shim: procd did not start it, so nothing records its exit.
    rows.push(['shim pid', s.shimPid === null ? 'none (adopted: procd did not start it)' : String(s.shimPid)]);
    rows.push(['ports', job.ports?.length ? portsDetail(job.ports) : 'none listening']);
  } else {
    rows.push(['started', time(s.startedAt)], ['ended', time(s.endedAt)], ['duration', formatDuration(s.durationMs)]);
    rows.push(['outcome', s.outcomeDetail ? `${s.outcome} (${s.outcomeDetail})` : s.outcome]);
    rows.push(['exit', exitLine(s)]);
    if (s.kind === 'failed' && s.spawnError) rows.push(['error', `${s.spawnError.code}: ${s.spawnError.message}`]);
    if (wasStopped(s) && s.kill) {
      rows.push(['stopped by', `${s.kill.reason} with ${s.kill.signal}, grace ${formatDuration(s.kill.graceMs)}`]);
      rows.push(['signalled', s.kill.signalled.join(' ') || 'none']);
      rows.push(['forced (SIGKILL)', s.kill.forced.join(' ') || 'none']);
    }
    if (s.kind === 'lost') rows.push(['lost because', s.reason]);
  }
  rows.push(...restartRows(job, now));
  rows.push(...progressRows(job, now));
  rows.push(...probeRows(job, time));
  rows.push(...queueRows(job));
  if (job.pendingKill) rows.push(['stopping', `${job.pendingKill.reason} with ${job.pendingKill.signal}`]);
  rows.push(['timeout', job.spec.timeoutMs === null ? 'none' : formatDuration(job.spec.timeoutMs)]);
  const limits = limitsText(job.spec.limits);
  if (limits) rows.push(['limits', limits]);
  for (const v of (job.violations ?? []).slice(-5)) rows.push(['over a limit', paint(out, v.action === 'kill' ? 'red' : 'yellow', `${time(v.at)}: ${violationText(v)}`)]);
  rows.push(['expected', job.spec.expectMs === null ? 'none' : formatDuration(job.spec.expectMs)]);
  if (job.baseline) rows.push(['usually', baselineText(job.baseline)]);
  rows.push(['stuck after', job.spec.stuckAfterMs === 0 ? 'disabled' : formatDuration(job.spec.stuckAfterMs)]);
  const grace = job.spec.stopGraceMs === null ? "the daemon's grace" : `grace ${formatDuration(job.spec.stopGraceMs)}`;
  rows.push(['stop with', `${job.spec.stopSignal}, then SIGKILL after ${grace}`]);
  // An adopted process writes where it always did: procd never had its output.
  if (job.spec.command.kind === 'adopted') rows.push(['output', 'not captured (an adopted process keeps writing where it did)']);
  else rows.push(['output', `stdout ${formatBytes(job.output.stdoutBytes)}, stderr ${formatBytes(job.output.stderrBytes)}, dropped ${formatBytes(job.output.droppedBytes)} (cap ${formatBytes(job.spec.maxOutputBytes)} per stream)`]);
  const lost = job.output.lostBytes;
  if (lost !== undefined) rows.push(['lost output', lost === 0 ? 'none' : paint(out, 'red', `${formatBytes(lost)}: the disk refused them (${job.dir}/shim.log says where)`)]);
  rows.push(['last output', job.spec.command.kind === 'adopted' ? 'unknown (adopted)' : job.output.lastOutputAt ? time(job.output.lastOutputAt) : 'never']);
  const r = job.resources;
  if (r?.last) {
    // A finished job's last figures are from its last sample, not from now.
    const when = hasLiveProcess(s) ? 'now' : 'at the last reading';
    const cpu = r.last.cpuPercent === null ? '-' : `${r.last.cpuPercent.toFixed(1)}%`;
    const [peak, avg] = hasCpuReading(r) ? [`${r.cpuPeak.toFixed(1)}%`, `${r.cpuAvg.toFixed(1)}%`] : ['-', '-'];
    const used = r.last.cpuTimeMs === undefined ? '' : `; ${formatDuration(r.last.cpuTimeMs)} of CPU time in this run`;
    rows.push(['cpu', `${cpu} ${when}, peak ${peak}, avg ${avg} (of one core, whole tree)${used}`]);
    rows.push(['memory', `${formatBytes(r.last.rssBytes)} ${when} (main ${formatBytes(r.last.mainRssBytes)}), peak ${formatBytes(r.rssPeak)}, avg ${formatBytes(r.rssAvg)}`]);
    const states = Object.entries(r.last.states).map(([k, n]) => `${n}${k}`).join(' ');
    const fds = r.last.fds === null ? '? fds' : plural(r.last.fds, 'fd');
    rows.push(['processes', `${r.last.processes} (${states}) ${when}, ${plural(r.last.threads, 'thread')}, ${fds}, peak ${plural(r.processesPeak, 'process', 'processes')}`]);
  }
  for (const f of job.flags) rows.push([`flag ${f.kind}`, paint(out, f.severity === 'high' ? 'red' : 'yellow', `${f.detail} (since ${time(f.raisedAt)})`)]);
  for (const f of job.flagHistory.slice(-5)) rows.push([`was ${f.kind}`, `${localTime(f.raisedAt)} – ${time(f.clearedAt)}: ${f.detail}`]);
  rows.push(['directory', job.dir]);
  const env = Object.entries(job.spec.env ?? {});
  rows.push(['environment', showEnv ? '' : `${plural(job.spec.envCount, 'variable')} (--env to show)`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  out.out(rows.map(([k, v]) => `${paint(out, 'bold', k.padEnd(width))}  ${v}`).join('\n'));
  if (showEnv) out.out(env.map(([k, v]) => `  ${k}=${v}`).join('\n'));
}
