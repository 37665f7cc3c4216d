// The monitor: one process-table snapshot per tick serves every job. It samples each running job's
// whole tree (CPU, memory, processes, threads, fds, states), keeps peak/average per run, raises
// and clears flags, notices adopted processes that ended, and watches finished jobs for
// leftover processes (cleaning them up after a short delay when autoCleanup is on).

import { EventEmitter } from 'node:events';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ClearedFlag, FlagKind, Job, JobFlag, JobId, ResourceSample } from '../../shared/job.js';
import { hasLiveProcess, isTerminal } from '../../shared/job.js';
import { hasLimits, limitStops, MAX_VIOLATIONS, type LimitViolation } from '../../shared/limits.js';
import { cgroupCpuUsageUsec, cgroupNameOf } from '../cgroup/job-cgroup.js';
import type { JobTable } from '../jobs/job-table.js';
import { killJobs } from '../jobs/kill-tree.js';
import type { Logger } from '../logger.js';
import { CpuSampler, procKey } from '../proc/cpu-sampler.js';
import { isDeadState, type ProcessTable } from '../proc/process-table.js';
import { silenceStart } from '../jobs/pause-clock.js';
import { carriedZombies, diffFlags, evaluateConditions, holdBottleneck, MAX_FLAG_HISTORY } from './flags.js';
import { jobRoot, membersOf, ProcessSnapshots, type ProcessSnapshot } from './job-processes.js';
import { checkLimits, NO_LIMIT_WATCH, type LimitWatch } from './limits.js';
import { accumulate, measureTree } from './measure.js';
import { jobOwningPid, leftoversIn, liveOnly, treeIn, type Leftovers, type TreeProcess } from './queries.js';
import type { Thresholds } from './thresholds.js';
import type { Baseline } from '../../shared/history.js';
import type { TreeReading } from './tree-cpu.js';
import { PortWatch, type ListeningPort } from './ports.js';

export { accumulate } from './measure.js';

export interface MonitorOptions {
  intervalMs: number;
  instance: string;
  /** This instance's parent cgroup (job cgroups' members are the jobs' members); null without. */
  cgroupRoot?: string | null;
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
  /** A job with `--on-limit kill` went over a limit (recorded already): stop it. */
  onLimitKill?(id: JobId, violation: LimitViolation): void;
  /** What a job's command usually takes, learned from history (daemon/history/); absent: nothing learned. */
  baselineOf?(job: Job): Baseline | null;
  /** The window `--max-cpu` is judged over (default CPU_LIMIT_WINDOW_MS). */
  cpuLimitWindowMs?: number;
  /** Where process-table snapshots come from (shared with the kill procedure when given). */
  snapshots?: ProcessSnapshots;
}

export interface MonitorEvents {
  flags: [{ job: Job; raised: JobFlag[]; cleared: ClearedFlag[]; changed: { flag: JobFlag; from: JobFlag['severity'] }[] }];
  leftovers: [{ job: Job; pids: number[] }];
  sample: [{ job: Job; sample: ResourceSample }];
  limit: [{ job: Job; violation: LimitViolation }];
  listening: [{ job: Job; ports: ListeningPort[] }];
}

const TICK_FLAG_KINDS: readonly FlagKind[] = ['stuck', 'time_sink', 'bottleneck', 'zombie', 'unhealthy'];

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
  /** What the limit decision remembers (CPU window, limits over at the last reading). */
  limits: LimitWatch;
}

/** The tick's snapshot and what every job's sampling shares from it. */
interface TickRead extends ProcessSnapshot {
  /** Zombie pids → when each was first seen in state Z. */
  zombieSince: Map<number, number>;
}

export class Monitor extends EventEmitter<MonitorEvents> {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private readonly cpu = new CpuSampler();
  /** The one way the monitor reads the process table (with the job markers indexed). */
  readonly snapshots: ProcessSnapshots;
  /** What the monitor remembers of each running job between ticks; dropped when the job ends. */
  private readonly watched = new Map<JobId, RunWatch>();
  /** pid:startTicks of zombies → when first seen in state Z. */
  private readonly zombieSince = new Map<string, number>();
  /** Zombies flagged before a restart (pid → first seen), used on the first tick only. */
  private carried: Map<number, number>;
  /** Finished jobs whose leftovers are being watched. */
  private readonly leftoverWatch = new Set<JobId>();
  private readonly cleaning = new Set<JobId>();
  /** CPU readings of the last tick, by pid:startTicks (for `status --tree`). */
  private lastCpu = new Map<string, number | null>();
  /** The listening ports of running jobs (daemon/monitor/ports.ts). */
  readonly ports: PortWatch;
  /** Last tick's cost, for `daemon status` and benchmarks. */
  lastTickMs = 0;
  ticks = 0;

  /** The thresholds flags are raised at (`analyze` judges bottlenecks and time sinks by the same). */
  get thresholds(): Thresholds {
    return this.opts.thresholds;
  }

  constructor(
    private readonly table: JobTable,
    private readonly logger: Logger,
    private readonly opts: MonitorOptions,
  ) {
    super();
    this.snapshots = opts.snapshots ?? new ProcessSnapshots(opts.instance, opts.cgroupRoot ?? null);
    this.ports = new PortWatch(table, (job, ports) => this.emit('listening', { job, ports }));
    table.on('change', ({ job, previous }) => {
      // A run ends when its process does: the job ended, or is queued for its next run (restart policy).
      const runEnded = (previous === 'running' || previous === 'paused') && !hasLiveProcess(job.state);
      if (runEnded && isTerminal(job.state)) this.scheduleLeftoverCheck(job.id);
      if (runEnded) this.clearRunningFlags(job);
      if (!hasLiveProcess(job.state)) this.watched.delete(job.id);
    });
    table.on('removed', (job) => this.leftoverWatch.delete(job.id));
    this.carried = carriedZombies(table.all(), opts.thresholds.zombieAfterMs);
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

  /** One pass: one snapshot, then update every running job and every watched finished one. */
  async tick(): Promise<void> {
    if (this.running) return; // a slow tick is never overlapped by the next
    this.running = true;
    const t0 = performance.now();
    try {
      const snapshot = await this.snapshots.take();
      this.lastCpu = this.cpu.sample(snapshot.table, snapshot.readAtMs);
      const read: TickRead = { ...snapshot, zombieSince: this.trackZombies(snapshot.table, snapshot.at) };
      for (const job of [...this.table.all()]) {
        // One job's failure (a full disk while saving its flag) must not leave the others unwatched.
        try {
          if (job.state.kind === 'running') await this.sampleJob(job, read);
          else if (this.leftoverWatch.has(job.id)) await this.updateLeftovers(job, read);
        } catch (err) {
          this.logger.error({ err, job: job.id }, 'monitoring a job failed this tick');
        }
      }
      this.ports.update(read);
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
      const since = this.zombieSince.get(k) ?? Math.min(at, this.carried.get(p.pid) ?? at);
      this.zombieSince.set(k, since);
      seen.set(p.pid, since);
    }
    // Only the first look can match a flag of the previous daemon; later, a pid may be reused.
    this.carried = new Map();
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
    const pids = membersOf(job, read);
    let watch = this.watched.get(job.id);
    if (!watch) this.watched.set(job.id, (watch = { hot: 0, calm: 0, tree: undefined, persisted: null, limits: NO_LIMIT_WATCH }));
    const measured = await measureTree(watch.tree, pids, root.pid, read, await this.cpuUsageOf(job));
    watch.tree = measured.tree;
    const sample = measured.sample;
    watch.hot = (sample.cpuPercent ?? 0) >= this.opts.thresholds.cpuPercent ? watch.hot + 1 : 0;
    if (this.outputMayMatter(job, at)) await this.opts.refreshOutput(job.id);
    const updated = this.table.updateVolatile(job.id, (j) => ({ output: j.output, resources: accumulate(j.resources, sample) }));
    if (!updated || updated.state.kind !== 'running') return;
    this.emit('sample', { job: updated, sample });
    this.persistResources(updated, watch, at);
    await this.checkLimits(updated, watch, sample);

    const zombies = pids
      .filter((pid) => read.zombieSince.has(pid))
      .map((pid) => ({ pid, ppid: table.get(pid)?.ppid ?? 0, since: read.zombieSince.get(pid)! }));
    const evaluated = evaluateConditions(updated, { now: at, sample, hotSamples: watch.hot, zombies, totalMemoryBytes: totalmem(), ...this.learned(updated) }, this.opts.thresholds);
    watch.calm = evaluated.some((c) => c.kind === 'bottleneck') ? 0 : watch.calm + 1;
    await this.applyFlags(updated, holdBottleneck(updated.flags, evaluated, watch.calm, this.opts.thresholds), TICK_FLAG_KINDS, at);
  }

  /** The learned expectation, asked only when it can matter: a task that gave no --expect. */
  private learned(job: Job): { baselineMs: number | null; baseline: Baseline | null } {
    const baseline = job.spec.expectMs === null && job.spec.kind === 'task' ? (this.opts.baselineOf?.(job) ?? null) : null;
    return { baselineMs: baseline?.medianMs ?? null, baseline };
  }

  /** The job cgroup's usage_usec, where the job has a cgroup (null: CPU comes from /proc). */
  private async cpuUsageOf(job: Job): Promise<number | null> {
    const root = this.opts.cgroupRoot ?? null;
    const name = root ? cgroupNameOf(job) : null;
    return root && name ? cgroupCpuUsageUsec(join(root, name)) : null;
  }

  /**
   * Limits are sampled here (where the kernel enforces one, see daemon/cgroup/limits.ts, it never
   * gets this far): a new violation is recorded on the job (durable before it is announced), and
   * with `--on-limit kill` the first one stops the job.
   */
  private async checkLimits(job: Job, watch: RunWatch, sample: ResourceSample): Promise<void> {
    const limits = job.spec.limits;
    if (!hasLimits(limits)) return;
    const check = checkLimits(limits, sample, watch.limits, this.opts.cpuLimitWindowMs);
    watch.limits = check.watch;
    if (!check.violations.length) return;
    const recorded = this.table.update(job.id, (j) => ({ violations: [...(j.violations ?? []), ...check.violations].slice(-MAX_VIOLATIONS) })) ?? job;
    await this.persist();
    for (const violation of check.violations) {
      this.logger.warn({ job: job.id, ...violation }, 'limit exceeded');
      this.emit('limit', { job: recorded, violation });
    }
    const fatal = check.violations.find((v) => limitStops(v.action));
    if (fatal && !recorded.pendingKill) this.opts.onLimitKill?.(job.id, fatal);
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
    return at - silenceStart(job.state, job.output.lastOutputAt) >= job.spec.stuckAfterMs - this.opts.intervalMs;
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
    const pids = await this.updateLeftovers(job, await this.snapshots.take());
    if (pids.length && this.opts.autoCleanupDelayMs !== null) {
      const wait = Math.max(0, job.state.endedAt + this.opts.autoCleanupDelayMs - Date.now());
      setTimeout(() => void this.cleanLeftovers(id).catch((err: unknown) => this.logger.error({ err, job: id }, 'auto cleanup failed')), wait).unref();
    }
    return pids;
  }

  /** The live leftover processes of a finished job, with the flag brought up to date. */
  private async updateLeftovers(seen: Job, snapshot: ProcessSnapshot): Promise<number[]> {
    const job = this.table.get(seen.id);
    if (!job || !isTerminal(job.state)) return [];
    const live = liveOnly(membersOf(job, snapshot), snapshot);
    const had = job.flags.find((f) => f.kind === 'leftovers');
    const conditions = live.length
      ? [{ kind: 'leftovers' as const, detail: `${live.length} process(es) still running after the job ended: ${live.join(' ')}`, severity: 'medium' as const, pids: live, data: { count: live.length } }]
      : [];
    await this.applyFlags(job, conditions, ['leftovers'], snapshot.at);
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
    if (!job || !jobRoot(job) || !isTerminal(job.state) || this.cleaning.has(id)) return { signalled: [], forced: [] };
    this.cleaning.add(id);
    try {
      const result = (await killJobs(this.snapshots, [job], 'SIGTERM', this.opts.graceMs)).get(id) ?? { signalled: [], forced: [], survivors: [] };
      if (result.signalled.length) this.logger.info({ job: id, ...result }, 'leftovers cleaned up');
      await this.checkLeftovers(id);
      return { signalled: result.signalled, forced: result.forced };
    } finally {
      this.cleaning.delete(id);
    }
  }

  /** One fresh snapshot: live processes of every finished job, and zombies unreaped for the zombie threshold. */
  async scan(): Promise<Leftovers> {
    return leftoversIn(this.table.all(), await this.snapshots.take(), this.zombieSince, this.opts.thresholds.zombieAfterMs);
  }

  /** The job a live process belongs to (group, session, marker or descent), or null. */
  async jobOwning(pid: number): Promise<Job | null> {
    return jobOwningPid(this.table.all(), await this.snapshots.take(), pid);
  }

  /** The live process tree of a job, with the CPU readings of the last tick. */
  async treeOf(job: Job): Promise<TreeProcess[]> {
    return jobRoot(job) ? treeIn(job, await this.snapshots.take(), this.lastCpu) : [];
  }
}
