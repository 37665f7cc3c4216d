// The `track` entry of the method table (shared/methods.ts): its CLI options are many, so it has a
// file of its own.

import { LIMITS } from './field-limits.js';

/** Calls that stop a job with its own grace (at most LIMITS.stopGraceMs) and then record its end. */
const AFTER_JOB_GRACE = { plusMs: 60_000 + LIMITS.stopGraceMs };

export const TRACK_METHOD = {
  doc: "Start a command (argv, or a shell string) under supervision; returns the job (its environment counted, `spec.envCount`, not repeated). A live job's name is unique: a second one is refused (NameInUse) unless `replace`, which stops the live one first; a default name gets a free suffix (`sleep-2`). Without `env` the job gets only PATH, HOME, USER, LOGNAME, SHELL, LANG, LC_ALL, TZ and TMPDIR from the daemon (the client library sends its caller's environment). `cwd` is required on the wire, as the daemon cannot know the caller's directory (the client library and the CLI fill in their current one). `limits` bound the whole process tree (RSS, CPU % averaged over 10 s, open fds, processes); each time one is exceeded is recorded in the job's `violations` and published as `limit.exceeded`; with `onLimit: kill` (the default) the job is stopped and ends failed with outcome `limit` (detail memory, cpu, fds or procs) and exit code 128+N of the signal that ended it.",
  capability: 'jobs',
  mutates: true,
  idempotent: false,
  stable: false,
  // With `replace`, the live job of that name is stopped first (kill procedure, its grace included).
  timeout: AFTER_JOB_GRACE,
  errors: ['NameInUse', 'ShuttingDown', 'StorageFailed'],
  cli: {
    command: 'track',
    aliases: ['start', 'run'],
    positionals: '-- CMD [ARGS...]',
    brief: 'start a command under supervision',
    summary: 'Start a command under supervision (argv, no shell; or --shell STRING) and print its job id.',
    usage: 'procd track [options] -- CMD [ARGS...]   |   procd track [options] --shell "STRING"',
    options: {
      shell: { type: 'string', arg: 'STRING', help: 'run STRING with /bin/sh -c' },
      name: { type: 'string', arg: 'NAME', help: 'a name to refer to the job by (default: the command); one live job per name' },
      replace: { type: 'boolean', help: 'stop the live job with this name first (kill procedure), then start this one as a new job' },
      description: { type: 'string', arg: 'TEXT', help: 'free text shown by status' },
      cwd: { type: 'string', arg: 'DIR', help: 'working directory (default: the current one)' },
      env: { type: 'string', multiple: true, arg: 'K=V', help: 'set a variable (repeatable); the job gets your environment plus these' },
      'clean-env': { type: 'boolean', help: 'start from an empty environment instead of yours' },
      timeout: { type: 'string', arg: 'DURATION', help: 'kill the job (state timed_out) after this long' },
      expect: { type: 'string', arg: 'DURATION', help: 'how long it should take (a longer run is flagged a time sink)' },
      service: { type: 'boolean', help: 'a service, meant to stay up (a server, a watcher): no stuck or time-sink flag unless --stuck-after / --expect ask for one' },
      'stuck-after': { type: 'string', arg: 'DURATION', help: 'flag the job stuck after this long without output (0 disables; default 60s for a task, off for a service)' },
      'stop-signal': { type: 'string', arg: 'SIG', help: 'the first signal of every stop (kill, --replace, --timeout, daemon stop; default SIGTERM); kill --signal overrides' },
      grace: { type: 'string', arg: 'DURATION', help: 'how long a stop waits before SIGKILL (default 5s, at most 5m); kill --grace overrides' },
      'max-output': { type: 'string', arg: 'SIZE', help: 'disk cap per output stream (default 128m); oldest output is dropped beyond it' },
      'max-memory': { type: 'string', arg: 'SIZE', help: 'limit the RSS of the whole process tree (e.g. 512m)' },
      'max-cpu': { type: 'string', arg: 'PERCENT', help: 'limit the CPU of the whole tree, % of one core averaged over 10s (200 = two cores)' },
      'max-runtime': { type: 'string', arg: 'DURATION', help: 'the same as --timeout' },
      'max-fds': { type: 'string', arg: 'N', help: 'limit the open file descriptors of the whole tree' },
      'max-procs': { type: 'string', arg: 'N', help: 'limit the number of processes in the tree' },
      'on-limit': { type: 'string', arg: 'kill|restart|warn', help: 'over a limit: stop the job (kill, the default; it ends failed, outcome limit), stop it and start it again under its restart policy (restart; on-failure when it has none), or only record it (warn)' },
      restart: { type: 'string', arg: 'POLICY', help: 'no (default), on-failure, always or unless-stopped: start it again when it ends (on-failure: only when it failed), after a backoff; always/unless-stopped make it a service. procd kill stops it for good' },
      'restart-delay': { type: 'string', arg: 'DURATION', help: 'the first backoff (default 1s); it doubles with each quick failure' },
      'restart-max-delay': { type: 'string', arg: 'DURATION', help: 'the longest backoff (default 60s)' },
      'max-restarts': { type: 'string', arg: 'N', help: 'give up (failed, restarts_exhausted) after N restarts within --restart-window (default: 10 for on-failure, unlimited otherwise)' },
      'restart-window': { type: 'string', arg: 'DURATION', help: 'the window --max-restarts counts in (default 10m)' },
      tag: { type: 'string', multiple: true, arg: 'TAG', help: 'a label to filter by (repeatable)' },
      wait: { type: 'boolean', help: 'wait for the job to end and exit with its exit code (Ctrl-C stops waiting, not the job)' },
      follow: { type: 'boolean', short: 'f', help: "print the job's stdout and stderr to ours, byte for byte, while waiting (implies --wait)" },
    },
    examples: [
      'procd track -- sleep 30',
      'procd track --follow -- make test',
      'procd track --name web --env PORT=8080 -- npm run dev',
      'procd track --name web --service --stop-signal INT --grace 10s -- npm run dev',
      'procd track --name web --replace -- npm run dev',
      "procd track --shell 'npm test && echo done' --timeout 10m --wait",
      'procd track --max-memory 2g --max-procs 500 -- make -j8',
      'procd track --name api --restart always -- node server.js',
      'procd track --restart on-failure --max-restarts 3 -- ./flaky-job.sh',
      'procd track --json --tag ci -- make -j4',
    ],
  },
} as const;
