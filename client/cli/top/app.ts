// procd top's acting layer: the daemon connection (one `list`, then events with samples, resumed
// after a reconnect), the keyboard, the timers and the frames. Every decision is made by the pure
// modules (model, view, keys, layout, log-buffer); this file only carries them out.

import { formatDuration } from '../../../shared/duration.js';
import { isTerminal } from '../../../shared/job.js';
import type { ProcdEvent } from '../../../shared/events.js';
import type { ProcdClient } from '../../index.js';
import { INITIAL_UI, onKey, parseKeys, selectedIndex, type Effect, type UiState } from './keys.js';
import { firstShown, pageSize, renderLogs, renderTable } from './layout.js';
import { appendLog, emptyLog, logLines, type LogBuffer } from './log-buffer.js';
import { applyEvent, applyList, stateCounts, type TopJob } from './model.js';
import type { FrameSink } from './terminal.js';
import { filterJobs, ownerOf, rowOf, sortJobs } from './view.js';

/** At most 10 frames a second; the clock still moves (ELAPSED) once a second without events. */
const FRAME_MS = 100;
const TICK_MS = 1000;
const DAEMON_STATUS_MS = 5000;
const RECONNECT_MS = 2000;
const LOG_WAIT_MS = 5000;
const LOG_TAIL_LINES = 500;

export interface TopOptions {
  color: boolean;
  ui: UiState;
  /**
   * Opens a connection that rides out daemon restarts; called again when one gives up. Only the
   * first may start a daemon: after `procd daemon stop`, top waits rather than start one.
   */
  connect(first: boolean): Promise<ProcdClient>;
}

export class TopApp {
  private readonly jobs = new Map<number, TopJob>();
  private ui: UiState;
  private scroll = 0;
  private daemon = 'connecting…';
  private daemonInfo: { pid: number; version: string; startedAt: number } | null = null;
  private connects = 0;
  private attaching = false;
  private client: ProcdClient | null = null;
  private lastSeq = 0;
  private frameTimer: NodeJS.Timeout | null = null;
  private lastFrame = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pendingFetch = new Set<number>();
  private fetchTimer: NodeJS.Timeout | null = null;
  private log: LogBuffer = emptyLog();
  private logStatus = '';
  /** Bumped when the log pane closes or opens on another job: an older follow loop stops. */
  private logGeneration = 0;
  private stopped = false;
  private done!: (code: number) => void;

  constructor(
    private readonly screen: FrameSink,
    private readonly opts: TopOptions,
  ) {
    this.ui = opts.ui;
  }

  /** Runs until q / Ctrl-C; resolves with the exit code. */
  run(input: { on(event: 'data', listener: (data: string | Buffer) => void): unknown }, output: { on(event: 'resize', listener: () => void): unknown }): Promise<number> {
    const finished = new Promise<number>((resolve) => (this.done = resolve));
    input.on('data', (data: string | Buffer) => this.onInput(String(data)));
    output.on('resize', () => {
      this.screen.invalidate();
      this.drawNow();
    });
    this.timers.push(setInterval(() => this.requestFrame(), TICK_MS));
    this.timers.push(setInterval(() => void this.refreshDaemon(), DAEMON_STATUS_MS));
    this.drawNow();
    void this.attach();
    return finished;
  }

  private stop(code: number): void {
    if (this.stopped) return;
    this.stopped = true;
    this.logGeneration++;
    for (const t of this.timers) clearInterval(t);
    if (this.frameTimer) clearTimeout(this.frameTimer);
    if (this.fetchTimer) clearTimeout(this.fetchTimer);
    this.client?.close();
    this.done(code);
  }

  /** Connects (again), subscribes with samples, resuming after the last event seen, and reads every job once. One at a time. */
  private async attach(): Promise<void> {
    if (this.attaching) return;
    this.attaching = true;
    try {
      while (!this.stopped) {
        let c: ProcdClient | null = null;
        try {
          c = await this.opts.connect(this.connects++ === 0);
          if (this.stopped) return c.close();
          const client = c;
          this.client = client;
          client.onEvent((e) => this.onEvent(e));
          client.onClose((err) => this.onClientClosed(client, err));
          const sub = await client.subscribe({ samples: true, ...(this.lastSeq > 0 ? { afterSeq: this.lastSeq } : {}) });
          this.lastSeq = Math.max(this.lastSeq, sub.seq);
          await this.reload();
          await this.refreshDaemon();
          return;
        } catch (err) {
          // A half-set-up connection is dropped (its close is then not ours to handle) and tried again.
          this.client = null;
          c?.close();
          this.daemonInfo = null;
          this.daemon = `daemon unreachable (${(err as Error).message}); retrying`;
          this.requestFrame();
          await new Promise((r) => setTimeout(r, RECONNECT_MS));
        }
      }
    } finally {
      this.attaching = false;
    }
  }

  private onClientClosed(c: ProcdClient, err: Error | null): void {
    if (this.stopped || this.client !== c) return;
    this.client = null;
    this.daemonInfo = null;
    this.daemon = err ? `disconnected (${err.message}); reconnecting` : 'the daemon stopped; waiting for it to come back';
    this.requestFrame();
    setTimeout(() => void this.attach(), RECONNECT_MS);
  }

  private async reload(): Promise<void> {
    const c = this.client;
    if (!c) return;
    applyList(this.jobs, await c.list({}));
    this.requestFrame();
  }

  private async refreshDaemon(): Promise<void> {
    const c = this.client;
    if (!c) return;
    try {
      const s = await c.daemonStatus();
      // A new daemon (restarted, and the client reconnected): the note of its restart is over.
      if (this.daemonInfo?.pid !== s.pid && this.ui.message.startsWith('the daemon')) this.ui = { ...this.ui, message: `reconnected to the new daemon (pid ${s.pid})` };
      this.daemonInfo = { pid: s.pid, version: s.version, startedAt: Date.now() - s.uptimeMs };
    } catch (err) {
      this.daemonInfo = null;
      this.daemon = `daemon: ${(err as Error).message}`;
    }
    this.requestFrame();
  }

  private onEvent(event: ProcdEvent): void {
    this.lastSeq = Math.max(this.lastSeq, event.seq);
    const effect = applyEvent(this.jobs, event);
    if (effect.note) this.ui = { ...this.ui, message: effect.note };
    if (effect.reload) void this.reload().catch(() => undefined);
    for (const id of effect.fetch) this.pendingFetch.add(id);
    if (effect.fetch.length && !this.fetchTimer) this.fetchTimer = setTimeout(() => void this.fetchPending(), 50);
    if (effect.changed || effect.note) this.requestFrame();
  }

  /** Reads the jobs events named in full (a new job's command, health after a flag): one `status` each. */
  private async fetchPending(): Promise<void> {
    this.fetchTimer = null;
    const ids = [...this.pendingFetch];
    this.pendingFetch.clear();
    const c = this.client;
    if (!c) return;
    await Promise.all(
      ids.map(async (id) => {
        try {
          const { tree: _t, baseline: _b, timeline: _l, ...view } = await c.status({ job: id });
          this.jobs.set(id, view);
        } catch {
          // removed meanwhile (rm, prune): the next list will not have it either
          this.jobs.delete(id);
        }
      }),
    );
    this.requestFrame();
  }

  private onInput(data: string): void {
    for (const key of parseKeys(data)) {
      const rows = this.visibleRows();
      const shown = rows.map((r) => ({ id: r.id, name: r.name, state: r.state.kind }));
      const { ui, effect } = onKey(this.ui, key, shown, pageSize(this.screen.height));
      this.ui = ui;
      if (effect) this.perform(effect);
      if (this.stopped) return;
    }
    this.requestFrame();
  }

  private perform(effect: Effect): void {
    switch (effect.kind) {
      case 'quit':
        return this.stop(0);
      case 'redraw':
        this.screen.invalidate();
        return;
      case 'close-logs':
        this.logGeneration++;
        return;
      case 'open-logs':
        void this.followLogs(effect.id);
        return;
      case 'kill':
      case 'restart':
      case 'pause':
      case 'resume':
        void this.act(effect.kind, effect.id);
        return;
    }
  }

  /** kill / restart / pause / resume one job; what happened goes to the status line (the events update the row). */
  private async act(kind: 'kill' | 'restart' | 'pause' | 'resume', id: number): Promise<void> {
    const c = this.client;
    const say = (message: string) => {
      this.ui = { ...this.ui, message };
      this.requestFrame();
    };
    if (!c) return say(`not connected: cannot ${kind} job ${id}`);
    const done = { kill: 'kill sent to', restart: 'restarted', pause: 'paused', resume: 'resumed' }[kind];
    try {
      const [r] = kind === 'kill' ? await c.kill({ jobs: [id] }) : kind === 'restart' ? await c.restart({ jobs: [id] }) : kind === 'pause' ? await c.pause({ jobs: [id] }) : await c.resume({ jobs: [id] });
      say(r && !r.ok ? `${kind} job ${id}: ${r.error.message}` : `${done} job ${id}`);
    } catch (err) {
      say(`${kind} job ${id}: ${(err as Error).message}`);
    }
  }

  /** Fills the log pane: the last lines, then new output as it comes (long polls) until the pane closes or the job has ended. */
  private async followLogs(id: number): Promise<void> {
    const generation = ++this.logGeneration;
    this.log = emptyLog();
    this.logStatus = 'loading';
    let cursor: { stdout: number; stderr: number; run: number } | undefined;
    while (generation === this.logGeneration) {
      const c = this.client;
      if (!c) {
        this.logStatus = 'not connected';
        this.requestFrame();
        await new Promise((r) => setTimeout(r, RECONNECT_MS));
        continue;
      }
      try {
        const r = await c.logs(cursor ? { job: id, cursor, waitMs: LOG_WAIT_MS } : { job: id, tailLines: LOG_TAIL_LINES });
        if (generation !== this.logGeneration) return;
        for (const chunk of r.chunks) appendLog(this.log, chunk.text ?? Buffer.from(chunk.data, 'base64').toString('utf8'));
        cursor = r.cursor;
        this.logStatus = r.eof ? `the job has ended (${r.state})` : `run ${r.run}, ${r.state}`;
        this.requestFrame();
        if (r.eof) return;
      } catch (err) {
        if (generation !== this.logGeneration) return;
        this.logStatus = (err as Error).message;
        this.requestFrame();
        return;
      }
    }
  }

  private visibleRows(): TopJob[] {
    return sortJobs(filterJobs([...this.jobs.values()], this.ui.filter), this.ui.sort, Date.now());
  }

  /** Draws at most once per FRAME_MS: events in between are gathered into the next frame. */
  private requestFrame(): void {
    if (this.stopped || this.frameTimer) return;
    const wait = Math.max(0, this.lastFrame + FRAME_MS - Date.now());
    this.frameTimer = setTimeout(() => {
      this.frameTimer = null;
      this.drawNow();
    }, wait);
  }

  private drawNow(): void {
    if (this.stopped) return;
    this.lastFrame = Date.now();
    const { width, height } = this.screen;
    if (this.ui.mode === 'logs' && this.ui.logsOf !== null) {
      const job = this.jobs.get(this.ui.logsOf);
      const title = `logs of job ${this.ui.logsOf}${job ? ` (${job.name}, ${job.state.kind})` : ''}`;
      this.screen.draw(renderLogs({ width, height, color: this.opts.color, title, lines: logLines(this.log), scroll: this.ui.logScroll, status: this.logStatus }));
      return;
    }
    const now = Date.now();
    const jobs = this.visibleRows();
    const all = [...this.jobs.values()];
    const selected = selectedIndex(this.ui, jobs.map((j) => ({ id: j.id, name: j.name, state: j.state.kind })));
    // The selection is kept by id: when nothing was selected yet, the first row is.
    if (selected >= 0 && this.ui.selected === null) this.ui = { ...this.ui, selected: jobs[selected]!.id };
    this.scroll = firstShown(Math.max(0, selected), jobs.length, pageSize(height), this.scroll);
    const confirmJob = this.jobs.get(this.ui.selected ?? -1);
    const lines = renderTable(
      {
        width,
        height,
        color: this.opts.color,
        daemon: this.daemonInfo ? `daemon pid ${this.daemonInfo.pid} v${this.daemonInfo.version} up ${formatDuration(now - this.daemonInfo.startedAt)}` : this.daemon,
        counts: stateCounts(all),
        total: all.length,
        rows: jobs.map((j) => rowOf(j, now)),
        selected,
        sort: this.ui.sort,
        filter: this.ui.filter,
        mode: this.ui.mode,
        owner: all.some((j) => ownerOf(j) !== null),
        message: this.ui.message,
        confirmOf: confirmJob ? `job ${confirmJob.id} (${confirmJob.name})${isTerminal(confirmJob.state) ? ', which has ended' : ''}` : 'the selected job',
      },
      this.scroll,
    );
    this.screen.draw(lines);
  }
}
