// `procd analyze` for people: a briefing — the headline counts, what to do first (high priority,
// each with its command), what to do next, then the details behind them. Pure (report in, lines
// out) so it is tested without a daemon; colour only through `paint` (a terminal, no NO_COLOR).

import type { AnalyzeReport, Priority, Recommendation, SignaturePattern } from '../../shared/analyze.js';
import { portText } from '../../shared/ports.js';
import { formatBytes, formatDuration } from '../../shared/duration.js';
import { plural, roughDuration } from './format-time.js';
import { paint, table, type Color, type Output } from './output.js';

type Style = Output;

const PRIORITY_COLOR: Record<Priority, Color> = { high: 'red', medium: 'yellow', low: 'gray' };
const pct = (share: number) => `${Math.round(share * 100)}%`;
const jobsText = (ids: readonly number[]) => (ids.length === 1 ? `job ${ids[0]}` : `jobs ${ids.join(', ')}`);

export function formatAnalyze(r: AnalyzeReport, o: Style): string[] {
  const h = r.headline;
  const out: string[] = [];
  const section = (title: string) => out.push('', paint(o, 'bold', title));
  out.push(`${paint(o, 'bold', 'procd analyze')} — the last ${roughDuration(r.generatedAt - r.since)}: ${plural(h.runs, 'finished run')} (${h.failures} failed), ${plural(h.liveJobs, 'live job')}`);
  const counts: [number, string, string][] = [
    [h.timeSinks, 'time sink', 'time sinks'],
    [h.bottlenecks, 'bottleneck', 'bottlenecks'],
    [h.stuck, 'stuck', 'stuck'],
    [h.errors, 'error', 'errors'],
    [h.duplicates, 'duplicate', 'duplicates'],
    [h.overlaps, 'overlap', 'overlaps'],
    [h.portConflicts, 'port conflict', 'port conflicts'],
    [h.leftovers, 'leftovers', 'leftovers'],
    [h.zombies, 'zombie', 'zombies'],
  ];
  out.push(`  ${counts.map(([n, one, many]) => (n ? paint(o, 'bold', plural(n, one, many)) : plural(n, one, many))).join(' · ')}`);
  const first = r.recommendations.filter((x) => x.priority === 'high');
  const next = r.recommendations.filter((x) => x.priority !== 'high');
  if (!r.recommendations.length) out.push('', 'Nothing needs doing.');
  if (first.length) {
    section('Do first');
    for (const x of first) out.push(...recommendation(x, o));
  }
  if (next.length) {
    section(first.length ? 'Then' : 'To do');
    for (const x of next) out.push(...recommendation(x, o));
  }
  details(r, o, section, out);
  const cut = Object.entries(r.omitted).filter(([, n]) => n > 0);
  if (cut.length) out.push('', paint(o, 'gray', `Left out of this report (the headline counts them): ${cut.map(([list, n]) => `${n} ${list}`).join(', ')}`));
  return out;
}

function recommendation(x: Recommendation, o: Style): string[] {
  const tag = paint(o, PRIORITY_COLOR[x.priority], x.priority.toUpperCase().padEnd(6));
  return [`  ${tag} ${x.reason}`, `         ${paint(o, 'cyan', `→ ${x.command}`)}`];
}

function details(r: AnalyzeReport, o: Style, section: (title: string) => void, out: string[]): void {
  if (r.timeSinks.length) {
    section('Time sinks');
    for (const t of r.timeSinks) {
      const what = t.live ? `running ${formatDuration(t.elapsedMs)}` : `run ${t.run} took ${formatDuration(t.elapsedMs)}`;
      out.push(`  job ${t.jobId} (${t.name}) ${what}, ${t.ratio}× the ${t.source === 'given' ? 'expected' : 'usual'} ${formatDuration(t.expectedMs)} — ${paint(o, t.severity === 'high' ? 'red' : 'yellow', t.severity)}`);
    }
  }
  if (r.bottlenecks.length) {
    section('Bottlenecks');
    for (const b of r.bottlenecks) {
      out.push(`  job ${b.jobId} (${b.name}): CPU ${b.cpuPercent === null ? '?' : `${b.cpuPercent}%`}, memory ${formatBytes(b.rssBytes)} (${pct(b.memoryShare)} of the machine) — over ${b.over.join(', ')}`);
      for (const q of b.holdsUp.queued) out.push(`    holds up job ${q.jobId} (${q.name}), queued for ${q.waitsFor === 'slot' ? `a slot in group ${q.group}` : 'resources'}`);
      for (const s of b.holdsUp.slowed) out.push(`    job ${s.jobId} (${s.name}) slowed while it ran: CPU ${s.cpuNow}% now, ${s.cpuAvg}% on average`);
    }
  }
  if (r.stuck.length) {
    section('Stuck');
    for (const s of r.stuck) {
      const last = s.lastLine !== null ? `last line: ${JSON.stringify(s.lastLine)}` : `last line: ${s.lastLineNote ?? 'unknown'}`;
      out.push(`  job ${s.jobId} (${s.name}) ${s.progressStalledAt ? `no progress from ${s.progressStalledAt} for` : 'silent for'} ${formatDuration(s.silentMs)} (stuck after ${formatDuration(s.stuckAfterMs)}); ${last}`);
    }
  }
  if (r.commonErrors.length) {
    section('Common errors');
    for (const e of r.commonErrors) {
      out.push(`  ${e.count}× ${paint(o, 'bold', e.signature)}${e.detail ? ` ${e.detail}` : ''} — ${e.commands.join('; ')} — ${jobsText([...new Set(e.runs.map((x) => x.jobId))])}`);
      out.push(`     ${paint(o, 'gray', e.example)}`);
    }
  }
  if (r.duplicates.length) {
    section('Running twice');
    for (const d of r.duplicates) out.push(`  ${d.command} — ${jobsText(d.jobs.map((j) => j.jobId))} at once, same directory`);
  }
  if (r.overlaps.length) {
    section('Started twice at once (in the period)');
    for (const o of r.overlaps) out.push(`  ${o.command} — ${plural(o.times, 'time')}, latest: ${jobsText(o.latest.map((j) => j.jobId))}`);
  }
  if (r.portConflicts.length) {
    section('Port conflicts');
    for (const c of r.portConflicts) {
      const holders = jobsText(c.holders.map((x) => x.jobId));
      if (c.claim) out.push(`  job ${c.jobId} (${c.name}) ${c.claim === 'listening' ? 'also listens on' : 'wants'} ${portText(c)}, held by ${holders}`);
      else out.push(`  job ${c.jobId} (${c.name}) run ${c.run}: EADDRINUSE${c.port ? ` on ${c.port}` : ''} while ${holders} ran`);
    }
  }
  if (r.patterns.bySignature.length) {
    section('Commands');
    const rows = r.patterns.bySignature.slice(0, 15).map((p) => patternRow(p));
    out.push(...table(['RUNS', 'FAILED', 'AVG', 'P95', 'TREND', 'FLAKY', 'EXITS', 'COMMAND'], rows, Math.max(40, o.width - 2)).split('\n').map((l) => `  ${l}`));
    const more = r.patterns.bySignature.length - 15 + r.omitted.bySignature;
    if (more > 0) out.push(`  … and ${plural(more, 'more command', 'more commands')}${r.omitted.bySignature ? '' : ' (--json has them)'}`);
  }
  const problems = [...r.leftovers, ...r.zombies];
  if (problems.length) {
    section('Leftovers and zombies');
    for (const p of problems) out.push(`  job ${p.jobId} (${p.name}): ${p.detail}${p.clearedAt === null ? ' — still there' : ' — cleared'}`);
  }
}

function patternRow(p: SignaturePattern): string[] {
  const trend = p.trend ? (p.trend.direction === 'flat' ? 'flat' : `${p.trend.direction} ${p.trend.relativeSlope > 0 ? '+' : ''}${Math.round(p.trend.relativeSlope * 100)}%/run`) : '-';
  const exits = [...p.exitCodes.map((e) => `${e.value}×${e.count}`), ...p.signals.map((s) => `${s.value}×${s.count}`)].join(' ') || '-';
  const ms = (n: number | null) => (n === null ? '-' : formatDuration(n));
  return [String(p.runs), `${p.failures} (${pct(p.failureRate)})`, ms(p.avgMs), ms(p.p95Ms), trend, p.flaky ? 'yes' : '-', exits, p.command];
}
