// The monitor: one process-table read per tick serves every job. It samples each running job's
// whole tree (CPU, memory, processes, threads, fds, states), keeps peak/average per run, raises
// and clears flags, notices adopted processes that ended, and watches finished jobs for
// leftover processes (cleaning them up after a short delay when autoCleanup is on).

import { EventEmitter } from 'node:events';
import { totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ClearedFlag, FlagKind, Job, JobFlag, JobId, ResourceSample, ResourceStats } from '../../shared/job.js';
import { isTerminal } from '../../shared/job.js';
import type { JobTable } from '../jobs/job-table.js';
import { killTree } from '../jobs/kill-tree.js';
import type { Logger } from '../logger.js';
import { CpuSampler, procKey } from '../proc/cpu-sampler.js';
import { CLOCK_TICKS_PER_SECOND, countOpenFds, isDeadState, readProcessTable, uptimeTicks, type ProcessTable } from '../proc/process-table.js';
import { diffFlags, evaluateConditions, holdBottleneck, MAX_FLAG_HISTORY } from './flags.js';
import { jobRoot, MarkerCache, processesOf, TableIndex } from './job-processes.js';
import type { Thresholds } from './thresholds.js';
import { treeReading, treeTicksSince, type TreeMember, type TreeReading } from './tree-cpu.js';

export interface MonitorOptions {
  intervalMs: number;
  instance: string;
  thresholds: Thresholds;
  /** Kill leftovers of finished jobs automatically, this long after the job ended (null: never). */
  autoCleanupDelayMs: number | null;
  /** How long after a job ends its leftovers are first looked for. */
  leftoverCheckDelayMs: number;
  graceMs: number;
  /** Output figures of running jobs (for the stuck flag) are refreshed through this. */
  refreshOutput(id: JobId): Promise<unknown>;
  /** An adopted job's process is gone (we are not its parent: its exit status is unknowable). */
  onAdoptedGone(id: JobId): void;
}

export interface MonitorEvents {
  flags: [{ job: Job; raised: JobFlag[]; cleared: ClearedFlag[]; changed: { flag: JobFlag; from: JobFlag['severity'] }[] }];
  leftovers: [{ job: Job; pids: number[] }];
  sample: [{ job: Job; sample: ResourceSample }];
}

const TICK_FLAG_KINDS: readonly FlagKind[] = ['stuck', 'time_sink', 'bottleneck', 'zombie'];

/** Resource figures of a running job reach the journal at least this often (and sooner when a peak grows). */
const RESOURCES_PERSIST_MS = 60_000;

/** What the monitor remembers of one running job from tick to tick. */
interface RunWatch {
  /** Consecutive samples at or above the CPU threshold. */
  hot: number;
  /** Consecutive samples without a bottleneck condition (hysteresis). */
  calm: number;
  /** The job's tree at the last tick, for CPU over the tree. */
  tree: TreeReading | undefined;
  /** When its resource figures were last journaled, and its peaks then. */
  persisted: { at: number; rssPeak: number; cpuPeak: number } | null;
}

/** One process-table read and what every job's sampling shares from it. */
interface TickRead {
  table: ProcessTable;
  index: TableIndex;
  marked: Map<JobId, number[]>;
  /** Zombie pids → when each was first seen in state Z. */
  zombieSince: Map<number, number>;
  /** Wall clock of the read (ms since the epoch), for samples and flags. */
  at: number;
  /** Monotonic clock of the read, for rates. */
  readAtMs: number;
  uptimeTicks: number | null;
}

export class Monitor extends EventEmitter<MonitorEvents> {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly cpu = new CpuSampler();
  private readonly markers: MarkerCache;
  /** What the monitor remembers of each running job between ticks; dropped when the job ends. */
  private readonly watched = new Map<JobId, RunWatch>();
  /** pid:startTicks of zombies → when first seen in state Z. */
  private readonly zombieSince = new Map<string, number>();
  /** Finished jobs whose leftovers are being watched. */
  private readonly leftoverWatch = new Set<JobId>();
  private readonly cleaning = new Set<JobId>();
  /** CPU readings of the last tick, by pid:startTicks (for `status --tree`). */
  private lastCpu = new Map<string, number | null>();
  /** Last tick's cost, for `daemon status` and benchmarks. */
  lastTickMs = 0;
  ticks = 0;

  constructor(
    private readonly table: JobTable,
    private readonly logger: Logger,
    private readonly opts: MonitorOptions,
  ) {
    super();
    this.markers = new MarkerCache(opts.instance);
    table.on('change', ({ job, previous }) => {
      if (previous === 'running' && isTerminal(job.state)) {
        this.scheduleLeftoverCheck(job.id);
        this.clearRunningFlags(job);
      }
      if (isTerminal(job.state)) this.watched.delete(job.id);
    });
    table.on('removed', (job) => this.leftoverWatch.delete(job.id));
    // Jobs that ended with leftovers before a restart are watched again.
    for (const job of table.all()) if (job.flags.some((f) => f.kind === 'leftovers')) this.leftoverWatch.add(job.id);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs);
    this.timer.unref();
    void this.tick();
    // Leftovers flagged before a restart get their check (and auto cleanup) as if the job had just ended.
    for (const id of this.leftoverWatch) this.scheduleLeftoverCheck(id);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One pass: read the table once, then update every running job and every watched finished one. */
  async tick(): Promise<void> {
    if (this.running) return; // a slow tick is never overlapped by the next
    this.running = true;
    const t0 = performance.now();
    try {
      const table = await readProcessTable({ uid: false });
      const readAtMs = performance.now();
      // Read with the table, before anything below yields: a process born after this is "new since the tick".
      const uptime = uptimeTicks();
      const at = Date.now();
      const cpu = this.cpu.sample(table, readAtMs);
      this.lastCpu = cpu;
      await this.markers.update(table);
      const index = new TableIndex(table);
      const marked = this.markers.byJob(table);
      const read: TickRead = { table, index, marked, zombieSince: this.trackZombies(table, at), at, readAtMs, uptimeTicks: uptime };
      for (const job of [...this.table.all()]) {
        // One job's failure (a full disk while saving its flag) must not leave the others unwatched.
        try {
          if (job.state.kind === 'running') await this.sampleJob(job, read);
          else if (this.leftoverWatch.has(job.id)) await this.updateLeftovers(job, index, marked.get(job.id) ?? [], at);
        } catch (err) {
          this.logger.error({ err, job: job.id }, 'monitoring a job failed this tick');
        }
      }
      await this.persist(); // one journal write for the figures persisted this tick (none: no write)
    } catch (err) {
      this.logger.error({ err }, 'monitor tick failed');
    } finally {
      this.lastTickMs = performance.now() - t0;
      this.ticks++;
      this.running = false;
    }
  }

  private trackZombies(table: ProcessTable, at: number): Map<number, number> {
    const seen = new Map<number, number>();
    const live = new Set<string>();
    for (const p of table.values()) {
      if (p.state !== 'Z') continue;
      const k = procKey(p);
      live.add(k);
      const since = this.zombieSince.get(k) ?? at;
      this.zombieSince.set(k, since);
      seen.set(p.pid, since);
    }
    for (const k of this.zombieSince.keys()) if (!live.has(k)) this.zombieSince.delete(k);
    return seen;
  }

  private async sampleJob(job: Job, read: TickRead): Promise<void> {
    const { table, at } = read;
    const root = jobRoot(job);
    if (!root || job.state.kind !== 'running') return;
    const main = table.get(root.pid);
    if (job.state.shimPid === null && (!main || isDeadState(main.state) || (root.startTicks !== null && main.startTicks !== root.startTicks))) {
      this.opts.onAdoptedGone(job.id);
      return;
    }
    const exclude = new Set<number>([process.pid, ...(job.state.shimPid === null ? [] : [job.state.shimPid])]);
    const pids = processesOf(root, read.marked.get(job.id) ?? [], read.index, exclude);
    let watch = this.watched.get(job.id);
    if (!watch) this.watched.set(job.id, (watch = { hot: 0, calm: 0, tree: undefined, persisted: null }));
    const sample = await this.measure(watch, pids, root.pid, read);
    watch.hot = (sample.cpuPercent ?? 0) >= this.opts.thresholds.cpuPercent ? watch.hot + 1 : 0;
    if (this.outputMayMatter(job, at)) await this.opts.refreshOutput(job.id);
    const updated = this.table.updateVolatile(job.id, (j) => ({ output: j.output, resources: accumulate(j.resources, sample) }));
    if (!updated || updated.state.kind !== 'running') return;
    this.emit('sample', { job: updated, sample });
    this.persistResources(updated, watch, at);

    const zombies = pids
      .filter((pid) => read.zombieSince.has(pid))
      .map((pid) => ({ pid, ppid: table.get(pid)?.ppid ?? 0, since: read.zombieSince.get(pid)! }));
    const evaluated = evaluateConditions(updated, { now: at, sample, hotSamples: watch.hot, zombies, totalMemoryBytes: totalmem(), baselineMs: null }, this.opts.thresholds);
    watch.calm = evaluated.some((c) => c.kind === 'bottleneck') ? 0 : watch.calm + 1;
    await this.applyFlags(updated, holdBottleneck(updated.flags, evaluated, watch.calm, this.opts.thresholds), TICK_FLAG_KINDS, at);
  }

  /**
   * Reading a job's output figures costs a few file-system calls; the monitor needs them only for
   * the stuck flag: while the job is flagged (to clear it as soon as output resumes), or once the
   * last output it knows of is old enough that the flag could be due by the next tick. A chatty
   * job is then read about once per stuck-after period instead of every tick; `procd status`
   * always reads fresh figures.
   */
  private outputMayMatter(job: Job, at: number): boolean {
    if (job.state.kind !== 'running' || job.spec.stuckAfterMs <= 0 || job.spec.command.kind === 'adopted') return false;
    if (job.flags.some((f) => f.kind === 'stuck')) return true;
    const lastActivity = Math.max(job.output.lastOutputAt ?? 0, job.state.startedAt);
    return at - lastActivity >= job.spec.stuckAfterMs - this.opts.intervalMs;
  }

  /** One reading of a job's tree: CPU over the tree since the last tick (short-lived children included), memory, counts. */
  private async measure(watch: RunWatch, pids: number[], mainPid: number, read: TickRead): Promise<ResourceSample> {
    const { table, at } = read;
    let rss = 0;
    let threads = 0;
    let fds: number | null = 0;
    const states: Record<string, number> = {};
    let processes = 0;
    const members: TreeMember[] = [];
    const fdCounts = await Promise.all(pids.map((pid) => (isDeadState(table.get(pid)?.state ?? 'Z') ? Promise.resolve(0) : countOpenFds(pid))));
    pids.forEach((pid, i) => {
      const p = table.get(pid);
      if (!p) return;
      states[p.state] = (states[p.state] ?? 0) + 1;
      // Zombies count for CPU (their ticks move to the parent when reaped), not as live processes.
      members.push({ key: procKey(p), totalTicks: p.utimeTicks + p.stimeTicks + p.childTicks, ownTicks: p.utimeTicks + p.stimeTicks, startTicks: p.startTicks });
      if (isDeadState(p.state)) return;
      processes++;
      rss += p.rssBytes;
      threads += p.threads;
      const f = fdCounts[i];
      fds = f === null || f === undefined || fds === null ? null : fds + f;
    });
    const previous = watch.tree;
    const ticks = treeTicksSince(previous, members, (key) => {
      const pid = Number(key.slice(0, key.indexOf(':')));
      const p = table.get(pid);
      return p !== undefined && procKey(p) === key;
    });
    watch.tree = treeReading(members, read.readAtMs, read.uptimeTicks);
    const elapsedMs = previous ? read.readAtMs - previous.atMs : 0;
    const cpuPercent = ticks !== null && elapsedMs > 0 ? ((ticks / CLOCK_TICKS_PER_SECOND) * 100_000) / elapsedMs : null;
    const main = table.get(mainPid);
    return {
      at,
      cpuPercent: cpuPercent === null ? null : Number(cpuPercent.toFixed(1)),
      rssBytes: rss,
      mainRssBytes: main && !isDeadState(main.state) ? main.rssBytes : 0,
      processes,
      threads,
      fds,
      states,
    };
  }

  /**
   * Samples live in memory, but a run's peaks must survive a daemon crash: they are journaled when
   * a peak has grown by a quarter since the last write, and at least every RESOURCES_PERSIST_MS.
   */
  private persistResources(job: Job, watch: RunWatch, at: number): void {
    const r = job.resources;
    if (!r) return;
    const last = watch.persisted;
    const grown = !last || r.rssPeak > last.rssPeak * 1.25 || r.cpuPeak > last.cpuPeak * 1.25 + 1;
    if (!grown && at - last.at < RESOURCES_PERSIST_MS) return;
    watch.persisted = { at, rssPeak: r.rssPeak, cpuPeak: r.cpuPeak };
    this.table.journal(job.id); // made durable by the flush at the end of the tick
  }

  /**
   * Makes the monitor's changes durable. A failure (disk full) is logged, not thrown: the change
   * stays queued in the store for its next successful write, and the flag is still announced.
   */
  private async persist(): Promise<void> {
    await this.table.flush().catch((err: unknown) => this.logger.error({ err }, 'could not save flags or figures; retried with the next change'));
  }

  /** Stuck, time sink, bottleneck and zombie are conditions of a running job: they clear when it ends. */
  private clearRunningFlags(job: Job): void {
    if (!isTerminal(job.state) || !job.flags.some((f) => TICK_FLAG_KINDS.includes(f.kind))) return;
    this.applyFlags(job, [], TICK_FLAG_KINDS, job.state.endedAt).catch((err: unknown) => this.logger.error({ err, job: job.id }, 'clearing flags failed'));
  }

  /** Brings the flags of `kinds` in line with `conditions`; a change is on disk before it is announced. */
  private async applyFlags(seen: Job, conditions: ReturnType<typeof evaluateConditions>, kinds: readonly FlagKind[], at: number): Promise<Job> {
    // Diff against the table's copy, not the caller's: a caller that awaited (a table read) may
    // hold a job whose flags another tick or check has changed since.
    const job = this.table.get(seen.id);
    if (!job) return seen;
    // Readings taken while the job was running must not raise its running-only flags after it ended.
    const current = isTerminal(job.state) ? conditions.filter((c) => c.kind === 'leftovers') : conditions;
    const diff = diffFlags(job.flags, current, kinds, at);
    if (!diff.dirty) {
      // Same flags, fresher figures: keep them in memory without a journal write.
      if (!current.length) return job;
      return this.table.updateVolatile(job.id, (j) => ({ output: j.output, resources: j.resources, flags: diff.flags })) ?? job;
    }
    const updated =
      this.table.update(job.id, (j) => ({
        flags: diff.flags,
        flagHistory: [...j.flagHistory, ...diff.cleared].slice(-MAX_FLAG_HISTORY),
      })) ?? job;
    await this.persist();
    for (const f of diff.raised) this.logger.info({ job: job.id, flag: f.kind, detail: f.detail }, 'flag raised');
    for (const f of diff.cleared) this.logger.info({ job: job.id, flag: f.kind }, 'flag cleared');
    for (const c of diff.changed) this.logger.info({ job: job.id, flag: c.flag.kind, from: c.from, to: c.flag.severity }, 'flag severity changed');
    if (diff.raised.length || diff.cleared.length || diff.changed.length) this.emit('flags', { job: updated, raised: diff.raised, cleared: diff.cleared, changed: diff.changed });
    return updated;
  }

  // ---- leftovers ------------------------------------------------------------------------------

  private scheduleLeftoverCheck(id: JobId): void {
    const delay = Math.min(this.opts.leftoverCheckDelayMs, this.opts.autoCleanupDelayMs ?? Infinity);
    setTimeout(() => void this.checkLeftovers(id).catch((err: unknown) => this.logger.error({ err, job: id }, 'leftover check failed')), delay).unref();
  }

  /** Looks for a finished job's leftovers now; raises/clears the flag and may clean them up. */
  async checkLeftovers(id: JobId): Promise<number[]> {
    const job = this.table.get(id);
    if (!job || !isTerminal(job.state)) return [];
    const table = await readProcessTable({ uid: false });
    await this.markers.update(table);
    const pids = await this.updateLeftovers(job, new TableIndex(table), this.markers.byJob(table).get(id) ?? [], Date.now());
    if (pids.length && this.opts.autoCleanupDelayMs !== null) {
      const wait = Math.max(0, job.state.endedAt + this.opts.autoCleanupDelayMs - Date.now());
      setTimeout(() => void this.cleanLeftovers(id).catch((err: unknown) => this.logger.error({ err, job: id }, 'auto cleanup failed')), wait).unref();
    }
    return pids;
  }

  /** The live leftover processes of a finished job, with the flag brought up to date. */
  private async updateLeftovers(seen: Job, index: TableIndex, marked: number[], at: number): Promise<number[]> {
    const job = this.table.get(seen.id);
    if (!job || !isTerminal(job.state)) return [];
    const root = jobRoot(job);
    const exclude = new Set<number>([process.pid]);
    const pids = root ? processesOf(root, marked, index, exclude) : marked;
    const live = pids.filter((pid) => !isDeadState(index.table.get(pid)?.state ?? 'Z'));
    const had = job.flags.find((f) => f.kind === 'leftovers');
    const conditions = live.length
      ? [{ kind: 'leftovers' as const, detail: `${live.length} process(es) still running after the job ended: ${live.join(' ')}`, severity: 'medium' as const, pids: live, data: { count: live.length } }]
      : [];
    await this.applyFlags(job, conditions, ['leftovers'], at);
    if (live.length) {
      this.leftoverWatch.add(job.id);
      if (!had || had.pids.join() !== live.join()) this.emit('leftovers', { job: this.table.get(job.id) ?? job, pids: live });
    } else {
      this.leftoverWatch.delete(job.id);
    }
    return live;
  }

  /** Kills a finished job's leftovers with the kill procedure. Returns what was signalled/forced. */
  async cleanLeftovers(id: JobId): Promise<{ signalled: number[]; forced: number[] }> {
    const job = this.table.get(id);
    const root = job ? jobRoot(job) : null;
    if (!job || !root || !isTerminal(job.state) || this.cleaning.has(id)) return { signalled: [], forced: [] };
    this.cleaning.add(id);
    try {
      const table = await readProcessTable({ uid: false });
      const leader = table.get(root.pid);
      const reused = leader !== undefined && root.startTicks !== null && leader.startTicks !== root.startTicks;
      const result = await killTree(
        { jobId: id, instance: this.opts.instance, pid: root.pid, ownsGroup: root.ownsGroup && !reused, exclude: [] },
        'SIGTERM',
        this.opts.graceMs,
      );
      if (result.signalled.length) this.logger.info({ job: id, ...result }, 'leftovers cleaned up');
      await this.checkLeftovers(id);
      return { signalled: result.signalled, forced: result.forced };
    } finally {
      this.cleaning.delete(id);
    }
  }

  /**
   * One fresh read: live processes of every finished job, and the zombies of every job that have
   * stayed unreaped for the zombie threshold (a child that exited a moment ago is about to be
   * reaped: its parent is not at fault and must never be stopped for it).
   */
  async scan(): Promise<{ leftovers: Map<JobId, number[]>; zombies: { pid: number; ppid: number; jobId: JobId }[] }> {
    const table = await readProcessTable({ uid: false });
    const now = Date.now();
    await this.markers.update(table);
    const index = new TableIndex(table);
    const marked = this.markers.byJob(table);
    const leftovers = new Map<JobId, number[]>();
    const zombies: { pid: number; ppid: number; jobId: JobId }[] = [];
    for (const job of this.table.all()) {
      const root = jobRoot(job);
      const exclude = new Set<number>([process.pid]);
      if (job.state.kind === 'running' && job.state.shimPid !== null) exclude.add(job.state.shimPid);
      const pids = root ? processesOf(root, marked.get(job.id) ?? [], index, exclude) : (marked.get(job.id) ?? []);
      for (const pid of pids) {
        const p = table.get(pid);
        const since = p?.state === 'Z' ? this.zombieSince.get(procKey(p)) : undefined;
        if (p && since !== undefined && now - since >= this.opts.thresholds.zombieAfterMs) zombies.push({ pid, ppid: p.ppid, jobId: job.id });
      }
      if (isTerminal(job.state)) {
        const live = pids.filter((pid) => !isDeadState(table.get(pid)?.state ?? 'Z'));
        if (live.length) leftovers.set(job.id, live);
      }
    }
    return { leftovers, zombies };
  }

  /** The job a live process belongs to (group, session, marker or descent), or null. */
  async jobOwning(pid: number): Promise<Job | null> {
    const table = await readProcessTable({ uid: false });
    await this.markers.update(table);
    const index = new TableIndex(table);
    const marked = this.markers.byJob(table);
    for (const job of this.table.all()) {
      const root = jobRoot(job);
      if (!root) continue;
      const exclude = new Set<number>([process.pid]);
      if (job.state.kind === 'running' && job.state.shimPid !== null) exclude.add(job.state.shimPid);
      if (processesOf(root, marked.get(job.id) ?? [], index, exclude).includes(pid)) return job;
    }
    return null;
  }

  /** The live process tree of a job, with the CPU readings of the last tick. */
  async treeOf(job: Job): Promise<{ pid: number; ppid: number; state: string; cpuPercent: number | null; rssBytes: number; threads: number; comm: string }[]> {
    const root = jobRoot(job);
    if (!root) return [];
    const table = await readProcessTable({ uid: false });
    await this.markers.update(table);
    const exclude = new Set<number>([process.pid]);
    if (job.state.kind === 'running' && job.state.shimPid !== null) exclude.add(job.state.shimPid);
    const pids = processesOf(root, this.markers.byJob(table).get(job.id) ?? [], new TableIndex(table), exclude);
    return pids.flatMap((pid) => {
      const p = table.get(pid);
      if (!p) return [];
      return [{ pid, ppid: p.ppid, state: p.state, cpuPercent: this.lastCpu.get(procKey(p)) ?? null, rssBytes: p.rssBytes, threads: p.threads, comm: p.comm }];
    });
  }
}

/** Folds one sample into the run's statistics; CPU is averaged over the samples that have a reading. */
export function accumulate(stats: ResourceStats | null, sample: ResourceSample): ResourceStats {
  const s = stats ?? { samples: 0, cpuSamples: 0, cpuPeak: 0, cpuAvg: 0, rssPeak: 0, rssAvg: 0, processesPeak: 0, last: null };
  const n = s.samples + 1;
  // Records written before cpuSamples existed counted every sample.
  const known = s.cpuSamples ?? s.samples;
  const cpuSamples = sample.cpuPercent === null ? known : known + 1;
  return {
    samples: n,
    cpuSamples,
    cpuPeak: Math.max(s.cpuPeak, sample.cpuPercent ?? 0),
    cpuAvg: sample.cpuPercent === null ? s.cpuAvg : Number((s.cpuAvg + (sample.cpuPercent - s.cpuAvg) / cpuSamples).toFixed(2)),
    rssPeak: Math.max(s.rssPeak, sample.rssBytes),
    rssAvg: Math.round(s.rssAvg + (sample.rssBytes - s.rssAvg) / n),
    processesPeak: Math.max(s.processesPeak, sample.processes),
    last: sample,
  };
}
