// The method table: one entry per RPC method with its doc line, capability, durability, retry and
// timeout rules and its CLI command. The daemon's dispatch, the client's typed calls and timeouts,
// the CLI's commands and help, and docs/protocol.md derive from it. Its params and result schemas
// are in schemas/methods.ts under the same names; the types (method-types.ts) are inferred from them
// through type-only imports, so this module (what the CLI loads) pulls in no schema library.

import { EVENT_KINDS } from './events.js';
import { JOB_STATE_KINDS } from './job.js';
import { LIMITS } from './field-limits.js';
import type { MethodSpec } from './method-spec.js';
import { PAUSE_METHOD_SPECS } from './methods-pause.js';
import { PROGRESS_METHOD_SPECS } from './methods-progress.js';
import { RESTART_METHOD_SPECS } from './methods-restart.js';
import { QUEUE_METHOD_SPECS } from './methods-queue.js';
import { TRENDS_METHOD_SPECS } from './methods-trends.js';
import { ANALYZE_METHOD_SPECS } from './methods-analyze.js';
import { PORTS_METHOD_SPECS } from './methods-ports.js';
import { HISTORY_METHOD_SPECS } from './methods-history.js';
import { AUDIT_METHOD_SPECS } from './methods-audit.js';
import { DISCOVER_METHOD_SPECS } from './methods-discover.js';
import { METRICS_METHOD_SPECS } from './methods-metrics.js';
import { TRACK_METHOD } from './track-method.js';
import { WAIT_METHOD } from './methods-wait.js';

export { LIMITS } from './field-limits.js';

export const PROTOCOL_VERSION = 1;
export const CAPABILITIES = ['jobs', 'logs.cursor', 'logs.longpoll', 'kill.tree', 'persist', 'monitor', 'flags', 'adopt', 'cleanup', 'events', 'events.resume', 'pause', 'restart', 'logs.runs', 'queue', 'history', 'progress', 'audit', 'timeline', 'trends', 'analyze', 'rpc.discover', 'metrics', 'ports'] as const;

const JOB = 'JobNotFound' as const;
/** A kill escalates to SIGKILL after the grace (without `graceMs`: each job's own), then records the end: a minute more. */
const AFTER_GRACE = { param: 'graceMs', plusMs: 60_000, paramDefaultMs: LIMITS.stopGraceMs };
/** Calls that stop a job with its own grace (at most LIMITS.stopGraceMs) and then record its end. */
const AFTER_JOB_GRACE = { plusMs: 60_000 + LIMITS.stopGraceMs };

export const METHOD_SPECS = {
  hello: {
    doc: 'Handshake: daemon version, protocol version, pid and capabilities.',
    capability: 'jobs',
    mutates: false,
    idempotent: true,
    stable: true,
    errors: [],
  },
  track: TRACK_METHOD,
  list: {
    doc: 'Jobs, oldest first: running ones plus the last finished ones, or all with `all`.',
    capability: 'jobs',
    mutates: false,
    idempotent: true,
    stable: false,
    errors: [],
    cli: {
      command: 'ls',
      aliases: ['list'],
      // The only word ls takes: the project after --project.
      positionals: '[--project [NAME]]',
      brief: 'list jobs',
      summary: 'List jobs: running ones plus the last 10 finished ones (--all for every job).',
      usage: 'procd ls [--all] [--state S]... [--name NAME] [--tag TAG] [--owner NAME] [--project [NAME]] [--json]',
      options: {
        all: { type: 'boolean', short: 'a', help: 'include every finished job' },
        wide: { type: 'boolean', short: 'w', help: 'add HEALTH (the score 0–100 of each running job; procd status ID says why) and PORTS (what its tree listens on) columns' },
        tree: { type: 'boolean', help: 'show each job under the job it waits for (--after), indented' },
        state: { type: 'string', multiple: true, arg: 'STATE', help: `only jobs in this state (repeatable): ${JOB_STATE_KINDS.join(', ')}` },
        name: { type: 'string', arg: 'NAME', help: 'only jobs with this name' },
        tag: { type: 'string', arg: 'TAG', help: 'only jobs with this tag' },
        owner: { type: 'string', arg: 'NAME', help: 'only jobs of this owner (track --owner)' },
        project: { type: 'boolean', help: 'only the jobs of the project NAME (procd up), given after it; without NAME: the project of ./procd.yaml' },
      },
      examples: ['procd ls', 'procd ls --state failed --state killed', 'procd ls --all --json | jq ".[].id"', 'procd ls --project shop'],
    },
  },
  count: {
    doc: 'How many jobs match a `list` filter, per state, and how many older finished ones `list` leaves out without `all` (what `ls` says is hidden).',
    capability: 'jobs',
    mutates: false,
    idempotent: true,
    stable: false,
    errors: [],
  },
  rows: {
    doc: 'The jobs `list` answers (same filter, same order), each with only the fields a row of `procd ls` reads: state, pending kill, flags, resources, owner, ports, health, ETA, progress, probes, queue standing, runs (of the earlier runs only the last) and from the spec kind, command, restart, probes, group, priority and dependencies. About a third of `list`\'s bytes; what `procd ls` asks for (`--json` asks `list`).',
    capability: 'jobs',
    mutates: false,
    idempotent: true,
    stable: false,
    errors: [],
  },
  status: {
    doc: 'Every field of one job; with `tree`, its live process tree; with `timeline`, what happened to it in order (kept across daemon restarts, bounded per job). The environment is counted (`spec.envCount`); its values only with `env`.',
    capability: 'jobs',
    mutates: false,
    idempotent: true,
    stable: false,
    errors: [JOB],
    cli: {
      command: 'status',
      positionals: 'ID|NAME',
      brief: 'every field of one job',
      summary: 'Show every field of one job (the most recent job when given a name).',
      usage: 'procd status ID|NAME [--tree] [--env] [--timeline] [--json]',
      options: {
        timeline: { type: 'boolean', help: 'also what happened to it, in order: started, ready, flags, limits, signals and stops and who asked, pause/resume, restarts, its end' },
        tree: { type: 'boolean', help: 'also show the live process tree (pid, ppid, state, cpu, rss, command; "(cgroup only)" marks a process only the job cgroup leads to)' },
        env: { type: 'boolean', help: "also the job's environment values (with --json too; by default only their count)" },
      },
      examples: ['procd status 3', 'procd status web --tree', 'procd status web --timeline', 'procd status web --json'],
    },
  },
  logs: {
    doc: 'Read captured output from a cursor, the last N lines, or since a time; `waitMs` long-polls for new output.',
    capability: 'logs.cursor',
    mutates: false,
    idempotent: true,
    stable: false,
    timeout: { param: 'waitMs' },
    errors: [JOB, 'RunNotFound'],
    cli: {
      command: 'logs',
      aliases: ['log'],
      positionals: 'ID|NAME',
      brief: "a job's output (--follow, --tail, --since, --stream)",
      summary:
        "Print a job's output exactly as it wrote it. With both streams, stdout bytes go to stdout and stderr bytes to stderr, in the order procd read them (two pipes share no clock: what was written within the same ~0.1 s may come out stdout first); a single --stream goes to stdout. With --follow it exits 0 once the job has ended and all its output is printed (on a terminal it then says how the job ended), 141 as soon as whoever reads its output goes away (like tail -f: `procd logs web -f | grep -m1 listening` ends with grep), 130 on Ctrl-C. A restarting job has an output per run: the current one by default; --follow goes on into the next (not with --run).",
      usage: 'procd logs ID|NAME [--tail N] [--follow] [--stream stdout|stderr|both] [--since DURATION | --since-cursor C] [--timestamps] [--run N | --all-runs] [--grep REGEX [-i] [--context N]] [--errors] [--collapse] [--head N] [--max-bytes SIZE]',
      options: {
        tail: { type: 'string', short: 'n', arg: 'N', help: 'only the last N lines' },
        follow: { type: 'boolean', short: 'f', help: 'keep printing new output until the job ends, its reader goes away, or Ctrl-C' },
        stream: { type: 'string', arg: 'S', help: 'stdout, stderr or both (default both)' },
        since: { type: 'string', arg: 'DURATION', help: 'only output written in the last DURATION (1s granularity)' },
        timestamps: { type: 'boolean', short: 't', help: 'prefix each line with when it was written (ISO 8601 UTC, to 0.1 s)' },
        run: { type: 'string', arg: 'N', help: 'run N only (1 = the first)' },
        'all-runs': { type: 'boolean', help: 'every kept run in order, marked on stderr; --tail/--since per run' },
        grep: { type: 'string', arg: 'REGEX', help: 'only lines matching this JavaScript regular expression (filtered in the daemon; shapes that backtrack exponentially are refused)' },
        'ignore-case': { type: 'boolean', short: 'i', help: 'with --grep: ignore case' },
        context: { type: 'string', short: 'C', arg: 'N', help: 'with --grep: N lines around each match, `--` between groups (not with --follow)' },
        collapse: { type: 'boolean', help: 'identical consecutive lines once, followed by `… ×N` (not with --follow)' },
        errors: { type: 'boolean', help: 'only lines that show an error by themselves (EADDRINUSE, ENOENT, a traceback\'s last line, npm error …: the signatures procd analyze counts)' },
        head: { type: 'string', arg: 'N', help: 'only the first N lines (after --tail/--grep/--collapse)' },
        'max-bytes': { type: 'string', arg: 'SIZE', help: 'cut the output at SIZE bytes at a line boundary; a note on stderr says what was left out and the --since-cursor to read on from (not with --follow)' },
        'since-cursor': { type: 'string', arg: 'C', help: 'start where an earlier read stopped (the cursor its note or --json gave); the next cursor is printed on stderr' },
      },
      examples: ['procd logs 3', 'procd logs api --errors --tail 200', 'procd logs web -f --tail 20', 'procd logs build --stream stderr --since 5m', 'procd logs web --timestamps --tail 5', 'procd logs web --all-runs --tail 5', 'procd logs build --grep "error|warn" -i -C 2', 'procd logs web --tail 100 --collapse --max-bytes 16k'],
    },
  },
  kill: {
    doc: "Stop jobs: signal the group and marked descendants, SIGKILL what is left after the grace (`signal` and `graceMs` default to each job's own stop signal and grace, `track`'s `stopSignal` / `stopGraceMs`). Answers one item per job given, in order: `ok: true` with the kill record, or `ok: false` with the error (not found, not running) — the others are stopped all the same. `owner` (instead of or besides `jobs`): also every live job of that owner, one item each after those given (one that ends meanwhile is left out). `port` (instead of or besides `jobs`): the live job(s) whose tree listens on that port (`protocol`: 'tcp', the default, or 'udp'; found fresh, as `ports` finds it); a process procd does not supervise is refused (PortNotSupervised, nothing stopped) unless `adopt`, which adopts it (as `adopt` does) and stops it; nothing listening is PortNotListening.",
    capability: 'kill.tree',
    mutates: true,
    audited: true,
    idempotent: false,
    stable: false,
    timeout: AFTER_GRACE,
    errors: [JOB, 'JobNotRunning', 'BadSignal', 'StorageFailed', 'PortNotListening', 'PortNotSupervised', 'AdoptFailed'],
    cli: {
      command: 'kill',
      aliases: ['stop'],
      positionals: '[ID|NAME...]',
      brief: 'stop jobs and everything they spawned',
      summary:
        "Stop jobs: the signal goes to the job's process group and every process carrying its marker (setsid'd and double-forked ones too); after the grace period SIGKILL goes to whatever is left. Every running job given is stopped; each one that could not be (finished, not found) is reported, and the exit status is then 1.",
      usage: 'procd kill ID|NAME... [--signal SIG] [--grace DURATION]   |   procd kill --owner NAME   |   procd kill --port PORT [--adopt]',
      options: {
        port: { type: 'string', arg: 'PORT', help: 'stop the job listening on TCP port PORT (--udp: UDP); a process procd does not supervise is refused unless --adopt' },
        adopt: { type: 'boolean', help: 'with --port: adopt a process procd does not supervise, then stop it' }, udp: { type: 'boolean', help: 'with --port: the UDP port (default: TCP)' },
        signal: { type: 'string', short: 's', arg: 'SIG', help: "the first signal (default: the job's --stop-signal, else SIGTERM)" },
        grace: { type: 'string', arg: 'DURATION', help: "wait this long before SIGKILL (default: the job's --grace, else 5s)" },
        owner: { type: 'string', arg: 'NAME', help: 'stop every live job of this owner (track --owner / PROCD_OWNER)' },
      },
      examples: ['procd kill 3', 'procd kill web worker --signal INT --grace 10s', 'procd kill --owner agent-7', 'procd kill --port 3000 && procd wait --for port-free=3000'],
    },
  },
  signal: {
    doc: 'Send one signal to the whole job, without escalation.',
    capability: 'kill.tree',
    mutates: false,
    audited: true,
    idempotent: false,
    stable: false,
    errors: [JOB, 'JobNotRunning', 'BadSignal'],
    cli: {
      command: 'signal',
      positionals: 'ID|NAME SIG',
      brief: 'send a signal to a whole job, no escalation',
      summary: "Send a signal to the job's process group and its marked descendants, without escalation.",
      usage: 'procd signal ID|NAME SIG',
      options: {},
      examples: ['procd signal web HUP', 'procd signal 3 SIGUSR1'],
    },
  },
  ...PAUSE_METHOD_SPECS,
  ...RESTART_METHOD_SPECS,
  ...QUEUE_METHOD_SPECS,
  ...ANALYZE_METHOD_SPECS,
  ...PORTS_METHOD_SPECS,
  ...HISTORY_METHOD_SPECS,
  ...PROGRESS_METHOD_SPECS,
  ...AUDIT_METHOD_SPECS,
  ...TRENDS_METHOD_SPECS,
  ...DISCOVER_METHOD_SPECS,
  ...METRICS_METHOD_SPECS,
  wait: WAIT_METHOD,
  rm: {
    doc: 'Remove finished jobs and their output; `force` kills running ones first; `dryRun` only says what would be removed. Each job given that is not removed (not found, still running) is in `failed`; the others are removed all the same.',
    capability: 'jobs',
    mutates: true,
    audited: true,
    idempotent: false,
    stable: false,
    timeout: AFTER_JOB_GRACE,
    errors: [JOB, 'JobStillRunning', 'StorageFailed'],
    cli: {
      command: 'rm',
      positionals: 'ID|NAME...',
      brief: 'remove finished jobs and their output',
      summary:
        "Remove jobs' records and output files. A running job is refused unless --force, which stops it first; the other jobs given are removed all the same, and the exit status is 1 when any was not.",
      usage: 'procd rm ID|NAME... [--force] [--dry-run]',
      options: {
        force: { type: 'boolean', short: 'f', help: 'stop running jobs first (kill procedure), then remove them' },
        'dry-run': { type: 'boolean', short: 'n', help: 'show what would be removed; remove (and stop) nothing' },
      },
      examples: ['procd rm 3 4', 'procd rm web --force', 'procd rm build test --dry-run'],
    },
  },
  prune: {
    doc: 'Remove finished jobs that ended longer ago than `olderThanMs` (default: all finished); `dryRun` only lists them.',
    capability: 'jobs',
    mutates: true,
    audited: true,
    idempotent: true,
    stable: false,
    errors: ['StorageFailed'],
    cli: {
      command: 'prune',
      positionals: null,
      brief: 'remove old finished jobs',
      summary: 'Remove finished jobs (records and output); with --older-than only those that ended before then.',
      usage: 'procd prune [--older-than DURATION] [--dry-run]',
      options: {
        'older-than': { type: 'string', arg: 'DURATION', help: 'only jobs that ended more than DURATION ago' },
        'dry-run': { type: 'boolean', short: 'n', help: 'show what would be removed; remove nothing' },
      },
      examples: ['procd prune --dry-run', 'procd prune', 'procd prune --older-than 7d'],
    },
  },
  adopt: {
    doc: 'Supervise a running process procd did not start (same user): sampling, flags, kill of its tree.',
    capability: 'adopt',
    mutates: true,
    audited: true,
    idempotent: false,
    stable: false,
    errors: ['AdoptFailed', 'NameInUse', 'StorageFailed'],
    cli: {
      command: 'adopt',
      positionals: 'PID',
      brief: 'supervise a process procd did not start',
      summary:
        'Supervise a running process of yours that procd did not start: sampling, flags, and kill of its tree. Its output cannot be captured (no stuck flag), and as procd is not its parent its exit code cannot be known: when it ends by itself the job becomes `lost` with exit code null.',
      usage: 'procd adopt PID [--name NAME] [--tag TAG]... [--force]',
      options: {
        name: { type: 'string', arg: 'NAME', help: 'a name for the job' },
        force: { type: 'boolean', help: 'adopt it even when it is an ancestor of this command (your shell): procd kill, rm --force and daemon stop would then stop it' },
        tag: { type: 'string', multiple: true, arg: 'TAG', help: 'a label (repeatable)' },
        description: { type: 'string', arg: 'TEXT', help: 'free text' },
        owner: { type: 'string', arg: 'NAME', help: 'its owner (default: PROCD_OWNER, else procd-cli)' },
      },
      examples: ['procd adopt 12345 --name legacy-server', 'procd release legacy-server'],
    },
  },
  release: {
    doc: 'Stop supervising an adopted process without signalling it: its job ends `lost` with outcome `released` (exit code null) and the process runs on, no longer part of any job.',
    capability: 'adopt',
    mutates: true,
    audited: true,
    idempotent: false,
    stable: false,
    errors: [JOB, 'JobNotRunning', 'NotAdopted', 'StorageFailed'],
    cli: {
      command: 'release',
      positionals: 'ID|NAME',
      brief: 'stop supervising an adopted process, without signalling it',
      summary:
        'Stop supervising an adopted process without sending it any signal: its job ends `lost` with outcome `released` (exit code null; the record stays) and the process keeps running, no longer sampled, flagged or stopped by procd. Only adopted processes can be released; `procd kill` stops a job procd started.',
      usage: 'procd release ID|NAME [--json]',
      options: {},
      examples: ['procd release legacy-server', 'procd release 4 --json'],
    },
  },
  cleanup: {
    doc: 'Kill leftovers of finished jobs, report zombies (stop their parents with reapParents), prune old records. With `owner` (the reaper an agent calls at the end of its session): first stop that owner\'s live jobs (as kill, `stopped`; not with dryRun), then only that owner\'s leftovers, zombies and records.',
    capability: 'cleanup',
    mutates: true,
    audited: true,
    idempotent: false,
    stable: false,
    timeout: { plusMs: 60_000 },
    errors: ['StorageFailed'],
    cli: {
      command: 'cleanup',
      positionals: null,
      brief: 'kill leftovers, report zombies, prune old records',
      summary:
        'Kill processes that finished jobs left behind (same procedure as kill), report zombie processes with the parents that do not reap them, and prune finished records older than the retention (default 7d, at most 10000 records).',
      usage: 'procd cleanup [--owner NAME] [--dry-run] [--reap-parents] [--retention DURATION] [--max-records N] [--json]',
      options: {
        'dry-run': { type: 'boolean', short: 'n', help: 'only report what would be done' },
        'reap-parents': { type: 'boolean', help: 'also stop the parents of zombies (SIGTERM, then SIGKILL after the grace)' },
        retention: { type: 'string', arg: 'DURATION', help: 'prune finished jobs that ended longer ago than this (default 7d)' },
        'max-records': { type: 'string', arg: 'N', help: 'keep at most N job records (default 10000)' },
        owner: { type: 'string', arg: 'NAME', help: "the end of an agent's session: stop this owner's live jobs, then clean only its leftovers and records" },
      },
      examples: ['procd cleanup --dry-run', 'procd cleanup --reap-parents --json', 'procd cleanup --owner agent-7'],
    },
  },
  subscribe: {
    doc: 'Turn this connection into an event stream ("event" notifications); `seq` is the last event published so far. With `afterSeq`, the kept lifecycle events after it come first (at least the last 10,000, kept across daemon restarts), and a `subscription.gap` event for what is no longer kept.',
    capability: 'events',
    mutates: false,
    // Safe on a new connection: a resumed subscription passes the last seq it saw as afterSeq.
    idempotent: true,
    stable: false,
    errors: [JOB],
    cli: {
      command: 'events',
      positionals: null,
      brief: 'live lifecycle events, one per line',
      summary: 'Print lifecycle events live, one per line: jobs starting and ending, flags raised and cleared, leftovers, daemon shutdown.',
      usage: 'procd events [--job ID|NAME]... [--name NAME]... [--tag TAG]... [--kind KIND]... [--samples] [--after SEQ] [--json]',
      options: {
        job: { type: 'string', multiple: true, arg: 'ID|NAME', help: 'only events of this job (repeatable; a name means the job it names now)' },
        name: { type: 'string', multiple: true, arg: 'NAME', help: 'only jobs with this name, also later ones (repeatable)' },
        tag: { type: 'string', multiple: true, arg: 'TAG', help: 'only jobs with this tag (repeatable)' },
        kind: { type: 'string', multiple: true, arg: 'KIND', help: `only these kinds (repeatable): ${EVENT_KINDS.join(', ')}` },
        samples: { type: 'boolean', help: 'also resource samples, at the sample rate (implied by --kind sample)' },
        after: { type: 'string', arg: 'SEQ', help: 'first the kept events after this seq (also from before a daemon restart), then live ones' },
      },
      examples: ['procd events', 'procd events --job 3 --json', 'procd events --kind flag.raised --kind job.state', 'procd events --json --after 118'],
    },
  },
  'daemon.status': {
    doc: 'The daemon: pid, version, uptime, socket, home, job counts, warnings (records set aside at start among them).',
    capability: 'jobs',
    mutates: false,
    idempotent: true,
    stable: true,
    errors: [],
  },
  'daemon.stop': {
    doc: "Stop the daemon; running jobs are stopped with the kill procedure (each with its own stop signal and grace) unless `keepJobs`.",
    capability: 'jobs',
    // The stop goes ahead even when the disk refuses the last records (the shutdown saves what it can).
    mutates: false,
    audited: true,
    idempotent: false,
    stable: true,
    timeout: AFTER_JOB_GRACE,
    errors: [],
  },
} as const satisfies Record<string, MethodSpec>;

/** The table under its historical name. */
export const methods = METHOD_SPECS;

export type MethodSpecs = typeof METHOD_SPECS;
export type MethodName = keyof MethodSpecs;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(METHOD_SPECS, name);
}

export type * from './method-types.js';
