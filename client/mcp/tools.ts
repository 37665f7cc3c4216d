// The MCP tools: one entry per tool, most of them one method of the table (methodTool) with the
// method's own params schema, a description written for an agent (what it does, when to use it,
// what it answers, its limits) and a one-line-per-job summary. A tool for a new method is one
// methodTool(...) entry here; `observes: true` offers it in --read-only mode too.

import * as v from 'valibot';
import { METHOD_SCHEMAS } from '../../shared/schemas/methods.js';
import { obj, opt, int } from '../../shared/schemas/valid.js';
import { probeConditionParam } from '../../shared/schemas/conditions.js';
import { clientEnvironment } from '../client-env.js';
import { JobBriefListSchema, jobBrief } from './brief.js';
import { logsTool } from './logs-tool.js';
import { mcpOwner } from './owner.js';
import { analyzeText, cleanupText, clip, jobLine, jobsText, refItemsText, statusText, waitText } from './summaries.js';
import { methodTool, type ToolDef } from './tool-def.js';

const S = METHOD_SCHEMAS;

/** A wait in MCP always ends: MCP clients cut a tool call after about a minute by default. */
export const MCP_WAIT_DEFAULT_MS = 50_000;
export const MCP_WAIT_MAX_MS = 10 * 60_000;

/** track's params the start tool takes as they are (add a new one of track's params here). */
const START_FIELDS = ['argv', 'shell', 'name', 'replace', 'ensure', 'owner', 'kind', 'tags', 'description', 'timeoutMs', 'restart'] as const;
const startInput = obj({
  ...v.pick(S.track.params, START_FIELDS).entries,
  cwd: opt(S.track.params.entries.cwd),
  env: S.track.params.entries.env,
  ready: opt(probeConditionParam),
});

const waitInput = obj({
  ...v.omit(S.wait.params, ['env', 'timeoutMs']).entries,
  timeoutMs: opt(int({ min: 1, max: MCP_WAIT_MAX_MS })),
});

/** The owner to give `cleanup` at the end of the session, said where the agent reads it. */
function ownerNote(job: { owner?: { name: string } | undefined }): string {
  return job.owner ? ` (owner ${job.owner.name})` : '';
}

function optionalOwner(owner: string | undefined): { owner?: string } {
  return owner === undefined ? {} : { owner };
}

const JOBS_NOTE = 'Jobs are given by id (a number) or name.';

export const TOOLS: readonly ToolDef[] = [
  methodTool('track', S, {
    name: 'start',
    title: 'Start a job',
    observes: false,
    description: `Start a command in the background under procd, which keeps it running after this conversation, captures its output and can stop its whole process tree. Use it for dev servers, watchers, builds and test runs instead of a shell's \`&\` or \`nohup\`. Give \`argv\` (["npm","run","dev"]) or \`shell\` ("npm run dev | tee x"); \`cwd\` defaults to the MCP server's directory; \`env\` adds to its environment. \`kind\`: "service" for something meant to stay up (a server), "task" (default) for something that ends. \`ready\`: a condition that says it is up (e.g. "output=listening", "listen=3000", "http=http://127.0.0.1:3000/health"); then call \`wait\` with for ["ready"]. \`name\` gives a handle for later calls; a live job already holding that name is an error unless \`replace\` (stop it, start this). \`ensure\`: if the same job (same name, or without a name the same command and cwd, and the same spec) is already live, answer it (\`reused\`) instead of starting a duplicate — use it for dev servers that may still run from an earlier session; a different spec under that name is an error listing the differences. \`owner\` (default: PROCD_OWNER, else one owner for this session, e.g. "claude-code-3f9a1c", shown in every answer) is what \`list\`/\`kill\`/\`cleanup\` with \`owner\` select: call \`cleanup\` with your owner at the end of a session to stop what you started. Returns the job (id, state, pid, owner, reused). It does not wait for the command: use \`wait\` and \`logs\`.`,
    input: startInput,
    output: JobBriefListSchema,
    params: ({ cwd, env, ready, owner, ...rest }, caller) => ({
      ...rest,
      ...optionalOwner(mcpOwner(owner, process.env, caller.clientName)),
      cwd: cwd ?? process.cwd(),
      env: { ...clientEnvironment(), ...env },
      ...(ready !== undefined ? { probes: { ready: { when: ready } } } : {}),
    }),
    structured: (job) => ({ jobs: [{ ...jobBrief(job), ...(job.reused ? { reused: true } : {}) }] }),
    summary: (job) => `${job.reused ? 'already running, reused' : 'started'} ${jobLine(job)}${ownerNote(job)}`,
  }),
  methodTool('list', S, {
    name: 'list',
    title: 'List jobs',
    observes: true,
    description:
      'List procd jobs: by default every live one (queued, starting, running, paused) plus the 10 most recently finished; `all` for every kept job, `states`, `name`, `tag` or `project` to filter. Use it to find what is already running before starting something (a dev server may still be up from an earlier session) and to get ids. Returns one brief per job: id, name, state, pid, readiness, exit code, command, cwd, flags (stuck, time_sink, …). `status` gives one job in full.',
    output: JobBriefListSchema,
    structured: (jobs) => ({ jobs: jobs.map(jobBrief) }),
    summary: (jobs) => jobsText(jobs, 'no jobs'),
  }),
  methodTool('status', S, {
    name: 'status',
    title: 'Job status',
    observes: true,
    description: `Everything procd knows about one job: its state and how it ended (outcome, exit code, signal), its spec, resources (CPU, memory of the whole process tree), flags with their detail, readiness and liveness probes, restarts (runs), progress and ETA. \`tree\`: also its live processes; \`timeline\`: what happened to it, in order. ${JOBS_NOTE} Use \`logs\` for its output.`,
    input: v.omit(S.status.params, ['env']),
    summary: (job) => statusText(job),
  }),
  logsTool(S),
  methodTool('wait', S, {
    name: 'wait',
    title: 'Wait for a condition',
    observes: true,
    description: `Wait until jobs reach a condition, without polling or sleeping: the daemon watches the output, probes and process table and answers as soon as it holds. \`for\` is any of (all of them with \`all\`): "ready" (the job's readiness condition passed), "exit" (it ended), "output=REGEX" (a line matched; from the run's start, or only new lines with \`newOutput\`), "listen[=PORT]", "tcp=[HOST:]PORT", "http=URL", "quiet=DURATION" (no output for that long), "state=STATE", "port-free=PORT" (needs no job). Without \`for\` it waits for the jobs to end. The wait always ends: after \`timeoutMs\` (default ${MCP_WAIT_DEFAULT_MS / 1000} s, at most ${MCP_WAIT_MAX_MS / 60_000} min); the jobs keep running then — call it again to wait longer. Returns which condition fired, or that a job ended first (its state and exit code), or the timeout, with the jobs and the last lines of their output. ${JOBS_NOTE}`,
    input: waitInput,
    params: ({ timeoutMs, ...rest }) => ({ ...rest, timeoutMs: timeoutMs ?? MCP_WAIT_DEFAULT_MS }),
    structured: (r) => ({ ...r, jobs: r.jobs.map(jobBrief) }),
    summary: (r) => waitText(r),
  }),
  methodTool('kill', S, {
    name: 'kill',
    title: 'Stop jobs',
    observes: false,
    idempotent: true,
    description: `Stop jobs and every process they started (the whole tree, found before the first signal): the job's stop signal (SIGTERM unless set), then SIGKILL after its grace (5 s unless set; \`graceMs\` overrides). Answers once they are gone: one item per job given, with the signal sent and which processes needed SIGKILL. A job that already ended is reported, not an error of the call. \`port\` (instead of or beside \`jobs\`) stops the job listening on that port; a process procd does not supervise is refused (PortNotSupervised) unless \`adopt\`, which adopts and stops it; then wait with "port-free=PORT" to confirm. ${JOBS_NOTE}`,
    input: v.omit(S.kill.params, ['callerPid']),
    params: (args) => (args.adopt ? { ...args, callerPid: process.pid } : args),
    structured: (items) => ({ results: items }),
    summary: (items) => refItemsText(items, 'stopped'),
  }),
  methodTool('restart', S, {
    name: 'restart',
    title: 'Restart jobs',
    observes: false,
    description: `Run jobs again under the same id with the same command, environment and options: a running one is stopped first (gracefully), an ended one simply starts again. Use it after changing code a server does not reload by itself. Answers once each new run has started: one item per job given. ${JOBS_NOTE}`,
    structured: (items) => ({ results: items }),
    summary: (items) => refItemsText(items, 'restarted'),
  }),
  methodTool('signal', S, {
    name: 'signal',
    title: 'Signal a job',
    observes: false,
    idempotent: false,
    description: `Send one signal (e.g. "SIGHUP" to reload, "SIGUSR1") to a job's processes, without stopping it on purpose. Use \`kill\` to stop a job. Answers the pids signalled. ${JOBS_NOTE}`,
    summary: (r) => `sent ${r.signal} to job ${r.id} (pids ${r.signalled.join(', ') || 'none'})`,
  }),
  methodTool('analyze', S, {
    name: 'analyze',
    title: 'Analyze jobs',
    observes: true,
    description:
      "procd's diagnosis of the machine's jobs: stuck jobs, time sinks, bottlenecks, zombies, leftover processes, duplicates, repeated failures with their error signature, and what each costs, with a suggested action per finding. Use it when something is slow, a port is taken, or jobs keep failing. `sinceMs` limits the history it reads.",
    summary: (r) => analyzeText(r),
  }),
  methodTool('cleanup', S, {
    name: 'cleanup',
    title: 'Clean up leftovers',
    observes: false,
    description:
      "Stop leftover processes of ended jobs (children that outlived their job), report zombies (\`reapParents\` also stops their parents), and prune old finished records. With \`owner\` (your session's owner, as \`start\` answered it) it first stops that owner's live jobs, then cleans only that owner's leftovers and records: call it so at the end of a session. Use it also when processes from earlier work still hold ports or CPU. \`dryRun\` only says what it would do, the owner's live jobs included.",
    summary: (r) => cleanupText(r),
  }),
  methodTool('ports', S, {
    name: 'ports',
    title: 'Who listens on which port',
    observes: true,
    description:
      "Every listening TCP/UDP socket (IPv4 and IPv6) of the user's processes, sorted by port: port, protocol, address, the pid holding it and its command, and the procd job (id and name) when procd supervises that process. Use it when a port is taken (EADDRINUSE) or to find the port a dev server picked; then `kill` with `port` stops its holder. `all` adds other users' sockets (no pid).",
    structured: (rows) => ({ ports: rows }),
    summary: (rows) => (rows.length ? rows.map((r) => `${r.port}/${r.protocol} ${r.address} ${r.job ? `job ${r.job.id} (${r.job.name})` : `pid ${r.pid ?? '?'} ${clip(r.command ?? '', 80)}`}`).join('\n') : 'nothing listens on any port'),
  }),
  methodTool('adopt', S, {
    name: 'adopt',
    title: 'Adopt a process',
    observes: false,
    description:
      'Put a process that procd did not start (e.g. a server started from a shell earlier) under procd: it is then listed, watched, and `kill` stops its whole tree. procd cannot restart it (it does not know how it was started). Refuses the MCP server\'s own ancestors unless `force`.',
    input: v.omit(S.adopt.params, ['callerPid']),
    params: ({ owner, ...args }, caller) => ({ ...args, ...optionalOwner(mcpOwner(owner, process.env, caller.clientName)), callerPid: process.pid }),
    output: JobBriefListSchema,
    structured: (job) => ({ jobs: [jobBrief(job)] }),
    summary: (job) => `adopted ${jobLine(job)}${ownerNote(job)}`,
  }),
];


/** The tools a server offers: every one, or with `readOnly` only those that observe. */
export function toolsFor(readOnly: boolean): readonly ToolDef[] {
  return readOnly ? TOOLS.filter((t) => t.observes) : TOOLS;
}
