import { EVENT_KINDS, type EventKind, type EventOf, type ProcdEvent } from '../../../shared/events.js';
import type { ParamsIn } from '../../../shared/methods.js';
import { formatBytes, formatDuration } from '../../../shared/duration.js';
import { flag, str, strs, type CommandDef } from '../command.js';
import { EXIT, ExitError } from '../exit-codes.js';
import { paint, type Output } from '../output.js';
import { time } from '../format-job.js';
import { plural } from '../format-time.js';
import { violationText } from '../format-limits.js';
import { progressLine } from '../format-progress.js';

/** events: a live feed of lifecycle events, one per line, until Ctrl-C or the daemon stops. */
export const command: CommandDef = {
  async run({ values, out, client }) {
    const params: ParamsIn<'subscribe'> = {};
    // A job by id or name (the name resolves once, like everywhere else; --name follows every job of that name).
    const jobs = strs(values, 'job').map((j) => (/^\d+$/.test(j) ? Number(j) : j));
    if (jobs.length) params.jobs = jobs;
    if (strs(values, 'name').length) params.names = strs(values, 'name');
    if (strs(values, 'tag').length) params.tags = strs(values, 'tag');
    const kinds = strs(values, 'kind');
    for (const k of kinds) if (!(EVENT_KINDS as readonly string[]).includes(k)) throw new ExitError(EXIT.usage, `--kind: "${k}" is not one of ${EVENT_KINDS.join(', ')}`);
    if (kinds.length) params.kinds = kinds as EventKind[];
    // The daemon sends samples only to those who ask for them: asking for the kind is asking.
    if (flag(values, 'samples') || kinds.includes('sample')) params.samples = true;
    const after = str(values, 'after');
    if (after !== undefined) {
      if (!/^\d+$/.test(after)) throw new ExitError(EXIT.usage, `--after: "${after}" is not an event number (the seq of the last event seen, e.g. 118)`);
      params.afterSeq = Number(after);
    }
    const c = await client();
    let lastSeq = 0;
    const ended = new Promise<number>((resolve) => {
      c.onEvent((event) => {
        lastSeq = event.seq;
        out.out(out.json ? JSON.stringify(event) : describe(out, event));
        if (event.kind === 'subscription.dropped') resolve(EXIT.error);
      });
      c.onClose(() => resolve(EXIT.ok));
    });
    const r = await c.subscribe(params);
    lastSeq = r.seq;
    if (!out.json) out.err(`procd events: listening (last event so far: #${lastSeq}); Ctrl-C to stop`);
    return ended;
  },
};

function stopReason(kill: EventOf<'job.stopping'>['kill']): string {
  if (kill.reason === 'timeout') return 'timed out: ';
  if (kill.reason === 'limit') return `over its ${kill.limit ?? ''} limit: `;
  if (kill.reason === 'liveness') return 'liveness probe failed: ';
  return '';
}

function describe(out: Output, e: ProcdEvent): string {
  const head = `${paint(out, 'gray', `#${e.seq} ${time(e.at)}`)} ${paint(out, 'bold', e.kind)}`;
  const job = 'job' in e ? ` job ${e.job.id} (${e.job.name})` : '';
  switch (e.kind) {
    case 'job.started':
      return `${head}${job} pid ${e.pid}`;
    case 'job.state': {
      const s = e.state;
      const exit = 'exitCode' in s ? ` exit ${s.exitCode ?? '-'}${s.signal ? ` ${s.signal.name}` : ''}` : '';
      return `${head}${job} ${e.from ?? 'new'} → ${e.to}${exit}`;
    }
    case 'job.ready':
      return `${head}${job} ready after ${formatDuration(e.tookMs)}${e.detail ? `: ${e.detail}` : ''}`;
    case 'job.progress':
      return `${head}${job} ${progressLine(e.progress, e.eta)}`;
    case 'job.listening':
      return `${head}${job} listening on ${e.ports.map((p) => `${p.address.includes(':') ? `[${p.address}]` : p.address}:${p.port}/${p.protocol} (pid ${p.pid})`).join(', ')}`;
    case 'job.removed':
      return `${head}${job} removed (it was ${e.job.state})`;
    case 'job.stopping':
      return `${head}${job} ${stopReason(e.kill)}sending ${e.kill.signal}, SIGKILL after ${formatDuration(e.kill.graceMs)}`;
    case 'flag.raised':
      return `${head}${job} ${e.flag.kind} (${e.flag.severity}): ${e.flag.detail}`;
    case 'flag.changed':
      return `${head}${job} ${e.flag.kind} ${e.from} → ${e.flag.severity}: ${e.flag.detail}`;
    case 'flag.cleared':
      return `${head}${job} ${e.flag.kind} cleared`;
    case 'leftover.found':
      return `${head}${job} ${plural(e.pids.length, 'leftover process', 'leftover processes')}: ${e.pids.join(' ')}`;
    case 'limit.exceeded':
      return `${head}${job} ${violationText(e.violation)}`;
    case 'alert':
      return `${head}${job} ${paint(out, e.alert.severity === 'critical' ? 'red' : 'yellow', `${e.alert.rule} (${e.alert.severity})`)}: ${e.alert.summary}`;
    case 'sample':
      return `${head}${job} cpu ${e.sample.cpuPercent ?? '-'}% rss ${formatBytes(e.sample.rssBytes)} procs ${e.sample.processes}`;
    case 'daemon.shutdown':
      return `${head} the daemon is stopping${e.keepJobs ? ' (jobs keep running)' : ''}`;
    case 'subscription.dropped':
      return `${head} ${e.reason}`;
    case 'subscription.gap':
      return `${head} events #${e.from}–#${e.to} are no longer available (${e.reason}); reload with procd ls`;
  }
}
