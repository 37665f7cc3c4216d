// The daemon's own methods' params and results (daemon.status, daemon.stop), spread into
// METHOD_SCHEMAS (methods.ts) so it stays one table.

import * as v from 'valibot';
import { JOB_STATE_KINDS } from '../job.js';
import { JobStateKindSchema } from './job.js';
import { bool, obj, opt } from './valid.js';

/** How many jobs are in each state (every state, zeros included). */
export const stateCounts = v.object(Object.fromEntries(JOB_STATE_KINDS.map((k) => [k, v.number()])) as Record<v.InferOutput<typeof JobStateKindSchema>, v.NumberSchema<undefined>>);

export const DAEMON_METHOD_SCHEMAS = {
  'daemon.status': {
    params: obj({}),
    result: v.object({
      pid: v.number(),
      version: v.string(),
      protocolVersion: v.number(),
      startedAt: v.number(),
      uptimeMs: v.number(),
      socket: v.string(),
      home: v.string(),
      logFile: v.string(),
      counts: stateCounts,
      /** Problems found at start (e.g. a corrupt state file replaced by its backup, a record set aside). */
      warnings: v.array(v.string()),
      /** The service manager that runs this daemon, if any (then restarts should go through it). */
      supervisedBy: v.nullable(v.picklist(['systemd', 'launchd'])),
      monitor: v.object({ intervalMs: v.number(), lastTickMs: v.number(), ticks: v.number() }),
      events: v.object({ seq: v.number(), subscribers: v.number(), droppedSubscribers: v.number() }),
      /** Clients connected right now (this call's own connection included). */
      connections: v.number(),
      /**
       * Whether the job shim runs: the interpreter and script checked (the native shim: its binary, script ''), what the
       * check said, or the error and what to do; which shim (kind) and why it was chosen (absent from daemons before the native shim).
       */
      shim: v.object({
        ok: v.boolean(),
        interpreter: v.string(),
        script: v.string(),
        detail: v.nullable(v.string()),
        error: v.nullable(v.string()),
        fix: v.nullable(v.string()),
        kind: v.optional(v.picklist(['native', 'perl'])),
        why: v.optional(v.string()),
        /** How shims are started: by the fork server (its pid), or by the daemon itself and why (absent from daemons before the fork server). */
        startedBy: v.optional(v.string()),
      }),
      /** How jobs are held together: a cgroup per job below root, or process groups + markers (pgroup); and why (absent from daemons before cgroups). */
      containment: v.optional(v.object({ kind: v.picklist(['cgroup', 'pgroup']), root: v.nullable(v.string()), why: v.string() })),
      /** Errors nothing caught: unhandled rejections since start (the daemon kept running), and the previous daemon's crash on an uncaught exception. */
      faults: v.object({
        unhandledRejections: v.number(),
        lastRejection: v.nullable(v.object({ at: v.number(), message: v.string() })),
        previousCrash: v.nullable(v.object({ at: v.number(), pid: v.number(), message: v.string() })),
      }),
    }),
    example: {
      params: {},
      result: {
        pid: 4100,
        version: '0.1.0',
        protocolVersion: 1,
        startedAt: 1767225000000,
        uptimeMs: 600000,
        socket: '/run/user/1000/procd/procd.sock',
        home: '/home/me/.local/share/procd',
        logFile: '/home/me/.local/state/procd/daemon.log',
        counts: { queued: 0, starting: 0, running: 2, paused: 0, completed: 5, failed: 1, killed: 0, timed_out: 0, lost: 0 },
        warnings: [],
        supervisedBy: null,
        monitor: { intervalMs: 1000, lastTickMs: 1.8, ticks: 600 },
        events: { seq: 120, subscribers: 1, droppedSubscribers: 0 },
        connections: 2,
        shim: { ok: true, interpreter: '/usr/lib/node_modules/procd/dist/shim/procd-shim', script: '', detail: 'native 0.1.0 clock=monotonic', error: null, fix: null, kind: 'native', why: 'compiled at build time and passed its check; PROCD_SHIM=auto', startedBy: 'the fork server (pid 41200)' },
        containment: { kind: 'cgroup', root: '/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/procd.service/procd-3f2a9c1b7d4e5f60', why: 'a cgroup per job below that root; PROCD_CONTAINMENT=auto' },
        faults: { unhandledRejections: 0, lastRejection: null, previousCrash: null },
      },
    },
  },
  'daemon.stop': {
    params: obj({ keepJobs: opt(bool()) }),
    result: v.object({ stopping: v.literal(true), jobsStopped: v.number() }),
    example: { params: { keepJobs: true }, result: { stopping: true, jobsStopped: 0 } },
  },
};
