// Recommendations: what to do, prioritised, each from a finding in the same report (its evidence:
// job ids and figures) and with the exact procd command that acts on it. A pure function of the
// findings, so no recommendation can appear without the finding behind it.

import type { AnalyzeReport, Priority, Recommendation } from '../../shared/analyze.js';
import { portText } from '../../shared/ports.js';
import { formatBytes, formatDuration } from '../../shared/duration.js';
import { commandLine, durationArg, killCommand, option, sizeArg, trackCommand, trackedCommand } from './commands.js';
import { runTable, type RunTable, type Runs } from './runs.js';

type Findings = Omit<AnalyzeReport, 'generatedAt' | 'since' | 'headline' | 'recommendations' | 'omitted'>;

/** An error is worth acting on once it came back: in at least this many runs. */
export const REPEATED_ERROR = 2;
/** A crash loop: at least this many restarts of a signature failing at least this often. */
export const CRASH_LOOP = { minRestarts: 3, minFailureRate: 0.5 } as const;

const MAX_OVERLAP_RECOMMENDATIONS = 3;

const ORDER: Record<Priority, number> = { high: 0, medium: 1, low: 2 };

/** A recommendation and the kind of finding behind it: only those of one kind and command are merged. */
interface Kinded {
  kind: string;
  rec: Recommendation;
}

export function recommendations(f: Findings, runs: Runs): Recommendation[] {
  const out: Kinded[] = [];
  const rec: Rec = (kind, priority, reason, jobIds, figures, command) =>
    out.push({ kind, rec: { priority, reason, evidence: { jobIds: [...new Set(jobIds)], figures }, command } });

  for (const t of f.timeSinks) {
    if (!t.live) continue;
    const why = `job ${t.jobId} (${t.name}) has run ${formatDuration(t.elapsedMs)}, ${t.ratio}× its ${t.source === 'given' ? 'expected' : 'usual'} ${formatDuration(t.expectedMs)}`;
    if (t.severity === 'high') rec('time-sink', 'high', `${why}: stop it`, [t.jobId], { ratio: t.ratio, elapsedMs: t.elapsedMs, expectedMs: t.expectedMs }, killCommand([t.jobId]));
    else rec('time-sink', 'medium', `${why}: see what it is doing`, [t.jobId], { ratio: t.ratio, elapsedMs: t.elapsedMs, expectedMs: t.expectedMs }, commandLine(['procd', 'logs', t.jobId, '--tail', 20]));
  }
  for (const s of f.stuck) {
    const long = s.stuckAfterMs > 0 && s.silentMs >= 3 * s.stuckAfterMs;
    const what = s.progressStalledAt ? `has made no progress from ${s.progressStalledAt} for` : 'has written nothing for';
    rec('stuck', long ? 'high' : 'medium', `job ${s.jobId} (${s.name}) ${what} ${formatDuration(s.silentMs)}: stop it if it hangs`, [s.jobId], { silentMs: s.silentMs, stuckAfterMs: s.stuckAfterMs }, killCommand([s.jobId]));
  }
  for (const b of f.bottlenecks) {
    const held = b.holdsUp.queued.length + b.holdsUp.slowed.length;
    const heldIds = [...b.holdsUp.queued, ...b.holdsUp.slowed].map((j) => j.jobId);
    const holds = held ? `, holding up ${held} job(s) (${heldIds.join(', ')})` : '';
    const figures = { cpuPercent: b.cpuPercent ?? 'unknown', rssBytes: b.rssBytes, memoryShare: b.memoryShare, heldUp: held };
    const slotWaiters = b.holdsUp.queued.filter((q) => q.waitsFor === 'slot');
    if (b.over.includes('memory') || b.over.includes('max-rss')) {
      rec('memory-hog', held || b.severity === 'high' ? 'high' : 'medium', `job ${b.jobId} (${b.name}) uses ${formatBytes(b.rssBytes)} (${Math.round(b.memoryShare * 100)}% of memory)${holds}`, [b.jobId, ...heldIds], figures, killCommand([b.jobId]));
    } else if (slotWaiters.length) {
      // A lower priority does not free its slot: only its end does.
      const group = slotWaiters[0]!.group;
      rec('slot-hog', 'high', `job ${b.jobId} (${b.name}) uses ${b.cpuPercent ?? '?'}% CPU and holds a slot of group ${group} that job(s) ${slotWaiters.map((q) => q.jobId).join(', ')} wait for: stop it if it can run later`, [b.jobId, ...heldIds], figures, killCommand([b.jobId]));
    } else {
      rec('cpu-hog', held ? 'high' : 'low', `job ${b.jobId} (${b.name}) uses ${b.cpuPercent ?? '?'}% CPU${holds}: lower its priority`, [b.jobId, ...heldIds], figures, commandLine(['procd', 'priority', b.jobId, 'low']));
    }
  }
  for (const d of f.duplicates) {
    const [keep, ...extra] = d.jobs;
    if (!keep) continue;
    rec('duplicate', 'medium', `${d.jobs.length} jobs run \`${d.command}\` at once in the same directory; keep job ${keep.jobId}`, d.jobs.map((j) => j.jobId), { running: d.jobs.length }, killCommand(extra.map((j) => j.jobId)));
  }
  // Running a command twice at once is often on purpose (two terminals, CI shards): low, and only
  // for the commands it happened to most.
  for (const o of f.overlaps.slice(0, MAX_OVERLAP_RECOMMENDATIONS)) {
    // A live name is unique: a second `track --name` of it is refused while the first runs.
    rec('overlap', 'low', `\`${o.command}\` was started twice at once ${o.times} time(s) in the period (latest: jobs ${o.latest.map((j) => j.jobId).join(' and ')}); start it under a name so a second start is refused`, o.latest.map((j) => j.jobId), { times: o.times }, trackCommand(option('name', o.name), trackedCommand(o.signature, o.command, o.cwd), o.cwd));
  }
  for (const c of f.portConflicts) {
    const live = c.holders.filter((h) => h.live);
    if (!live.length) continue;
    const why = c.claim ? `${c.claim === 'listening' ? 'listens on' : 'wants'} ${portText(c)} that job(s) ${live.map((h) => h.jobId).join(', ')} ${c.claim === 'listening' ? 'also listen on' : 'hold or want first'}` : `failed with EADDRINUSE${c.port ? ` on port ${c.port}` : ''} while job(s) ${live.map((h) => h.jobId).join(', ')} of the same command or directory, or holding that port, run`;
    rec('port-conflict', 'high', `job ${c.jobId} (${c.name}) ${why}`, [c.jobId, ...live.map((h) => h.jobId)], { port: c.port ?? 'unknown' }, killCommand(live.map((h) => h.jobId)));
  }
  errorRecommendations(f, runTable(runs), rec);
  patternRecommendations(f, rec);
  const activeLeftovers = f.leftovers.filter((l) => l.clearedAt === null);
  if (activeLeftovers.length) {
    const pids = activeLeftovers.flatMap((l) => l.pids);
    rec('leftovers', 'high', `${pids.length} process(es) left behind by finished job(s) ${activeLeftovers.map((l) => l.jobId).join(', ')} still run`, activeLeftovers.map((l) => l.jobId), { processes: pids.length }, 'procd cleanup');
  }
  const activeZombies = f.zombies.filter((z) => z.clearedAt === null);
  if (activeZombies.length) {
    rec('zombies', 'medium', `zombie processes of job(s) ${activeZombies.map((z) => z.jobId).join(', ')} are not reaped by their parents`, activeZombies.map((z) => z.jobId), { zombies: activeZombies.flatMap((z) => z.pids).length }, 'procd cleanup --reap-parents');
  }
  const sorted = out.map((r, i) => ({ r, i })).sort((a, b) => ORDER[a.r.rec.priority] - ORDER[b.r.rec.priority] || a.i - b.i).map(({ r }) => r);
  return mergeSameCommand(sorted);
}

/** At most this many job ids in a merged recommendation's evidence. */
const MAX_MERGED_IDS = 20;

/**
 * One recommendation per command and kind of finding: `procd cleanup` for twenty ports is one thing
 * to do. The first (highest priority) keeps its reason and figures, says how many more it stands
 * for, and takes their job ids. Another kind keeps its own reason (a port conflict is not "like" a
 * silent job, even when both say `procd kill 1`).
 */
function mergeSameCommand(sorted: Kinded[]): Recommendation[] {
  const byCommand = new Map<string, { rec: Recommendation; more: number }>();
  for (const { kind, rec: r } of sorted) {
    const key = `${kind}\n${r.command}`;
    const seen = byCommand.get(key);
    if (!seen) {
      byCommand.set(key, { rec: { ...r, evidence: { ...r.evidence, jobIds: [...r.evidence.jobIds] } }, more: 0 });
      continue;
    }
    seen.more++;
    for (const id of r.evidence.jobIds) if (seen.rec.evidence.jobIds.length < MAX_MERGED_IDS && !seen.rec.evidence.jobIds.includes(id)) seen.rec.evidence.jobIds.push(id);
  }
  return [...byCommand.values()].map(({ rec, more }) => (more ? { ...rec, reason: `${rec.reason} (and ${more} more like it)` } : rec));
}

type Rec = (kind: string, priority: Priority, reason: string, jobIds: number[], figures: Recommendation['evidence']['figures'], command: string) => void;

function errorRecommendations(f: Findings, runs: RunTable, rec: Rec): void {
  // The runs the errors name, looked up in one pass (at most 10 per error; no key built per run).
  const wanted = new Map<number, Set<number | null>>();
  for (const e of f.commonErrors) for (const r of e.runs) (wanted.get(r.jobId) ?? wanted.set(r.jobId, new Set()).get(r.jobId)!).add(r.run);
  // By index into the table; the latest of a job id and run number wins, as before.
  const byRef = new Map<string, number>();
  if (wanted.size) {
    for (let i = 0; i < runs.length; i++) {
      const jobId = runs.jobId(i);
      const run = runs.run(i);
      if (wanted.get(jobId)?.has(run)) byRef.set(`${jobId}:${run}`, i);
    }
  }
  const crashLoops = new Set(f.patterns.bySignature.filter(isCrashLoop).map((p) => p.signature));
  const covered = new Set(f.portConflicts.filter((c) => c.holders.some((h) => h.live)).map((c) => c.jobId));
  for (const e of f.commonErrors) {
    if (e.count < REPEATED_ERROR) continue;
    const latest = e.runs[0];
    const i = latest ? byRef.get(`${latest.jobId}:${latest.run}`) : undefined;
    if (!latest || i === undefined) continue;
    const run = { signature: runs.signature(i), command: runs.command(i), cwd: runs.cwd(i), rssPeak: runs.rssPeak(i) };
    const ids = e.runs.map((r) => r.jobId);
    const label = `${e.signature}${e.detail ? ` (${e.detail})` : ''}`;
    const figures = { count: e.count, latestJob: latest.jobId };
    if (e.signature === 'EADDRINUSE') {
      if (ids.every((id) => covered.has(id))) continue;
      const restarted = e.runs.some((r) => {
        const j = byRef.get(`${r.jobId}:${r.run}`);
        return j !== undefined && runs.restarts(j) > 0;
      });
      // A crash loop of the same command already says to back off longer (patternRecommendations).
      if (restarted && crashLoops.has(run.signature)) continue;
      if (restarted) rec('addr-in-use-restart', 'medium', `${label} in ${e.count} runs of restarts: the previous run has not let go of the port yet; wait longer before restarting`, ids, figures, trackCommand(option('restart-delay', '5s'), trackedCommand(run.signature, run.command, run.cwd), run.cwd));
      // No job of procd held it then: most often a process an earlier run left behind (a dev server's child).
      else rec('addr-in-use', 'medium', `${label} in ${e.count} runs: another process holds ${e.detail ? `port ${e.detail}` : 'the port'}; kill what finished jobs left behind`, ids, figures, 'procd cleanup');
    } else if ((e.signature === 'oom' || (e.signature === 'limit_kill' && e.detail === 'memory')) && run.rssPeak) {
      const cap = run.rssPeak * 1.5;
      const why = e.signature === 'oom' ? 'cap its memory so it fails alone instead of starving the machine' : 'its --max-memory is too low for what it does: raise it (or find out why it grew)';
      rec('memory-cap', 'medium', `${label} in ${e.count} runs (peak ${formatBytes(run.rssPeak)}): ${why}`, ids, { ...figures, rssPeak: run.rssPeak }, trackCommand(option('max-memory', sizeArg(cap)), trackedCommand(run.signature, run.command, run.cwd), run.cwd));
    } else {
      const runWords = latest.run && latest.run > 1 ? ['--run', latest.run] : [];
      rec('read-errors', e.count >= 3 ? 'medium' : 'low', `${label} in ${e.count} runs, latest job ${latest.jobId}: read its errors`, ids, figures, commandLine(['procd', 'logs', latest.jobId, ...runWords, '--stream', 'stderr', '--tail', 20]));
    }
  }
}

function isCrashLoop(p: Findings['patterns']['bySignature'][number]): boolean {
  return p.restarts >= CRASH_LOOP.minRestarts && p.failureRate >= CRASH_LOOP.minFailureRate;
}

function patternRecommendations(f: Findings, rec: Rec): void {
  for (const p of f.patterns.bySignature) {
    const figures = { runs: p.runs, failureRate: p.failureRate, restarts: p.restarts };
    if (isCrashLoop(p)) {
      rec('crash-loop', 'high', `\`${p.command}\` keeps crashing: ${p.failures} of ${p.runs} runs failed after ${p.restarts} restarts; back off longer between restarts`, [p.lastJobId], figures, trackCommand([...option('restart', 'on-failure'), ...option('restart-delay', '10s')], trackedCommand(p.signature, p.command, p.cwd), p.cwd));
    } else if (p.flaky) {
      rec('flaky', 'low', `\`${p.command}\` is flaky: consecutive runs alternate pass/fail (${Math.round(p.flipRate * 100)}% of the time); retry it on failure`, [p.lastJobId], { ...figures, flipRate: p.flipRate }, trackCommand([...option('restart', 'on-failure'), ...option('max-restarts', 2)], trackedCommand(p.signature, p.command, p.cwd), p.cwd));
    }
    if (p.trend?.direction === 'slower' && p.p95Ms !== null) {
      rec('slower', 'medium', `\`${p.command}\` is getting slower: +${Math.round(p.trend.relativeSlope * 100)}% of its mean per run over ${p.trend.runs} runs; flag runs beyond its p95`, [p.lastJobId], { slopeMsPerRun: p.trend.slopeMsPerRun, relativeSlope: p.trend.relativeSlope, p95Ms: p.p95Ms }, trackCommand(option('expect', durationArg(p.p95Ms)), trackedCommand(p.signature, p.command, p.cwd), p.cwd));
    }
  }
}
