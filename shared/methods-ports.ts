// The method table's entry for `ports` (issue 15 §3): who holds which listening socket. Kept apart
// so shared/methods.ts stays one screenful per concern; METHOD_SPECS spreads it in, so this is
// still one table. Schemas: schemas/methods-ports.ts; the detection: daemon/proc/sockets.ts.

import type { MethodSpec } from './method-spec.js';

export const PORTS_METHOD_SPECS = {
  ports: {
    doc: "Every listening socket (TCP in LISTEN, bound UDP; IPv4 and IPv6) held by a process of yours, sorted by port: the port, protocol, local address, the pid holding it and its command, and `job` (id and name) when that process belongs to a live procd job — procd's jobs and your other processes alike. `all` adds sockets no process of yours holds (other users', root's: `pid` and `command` null, `uid` from the kernel's table). Read fresh from /proc at each call (Linux); a job's own `ports` field is the monitor's last reading.",
    capability: 'ports',
    mutates: false,
    idempotent: true,
    stable: false,
    errors: [],
    cli: {
      command: 'ports',
      positionals: null,
      brief: "who listens on which port: procd's jobs and your other processes",
      summary:
        "List the listening TCP and UDP ports (IPv4 and IPv6) of your processes, one row per socket, sorted by port: the job holding it (id and name) when procd supervises the process, else its pid and command. `--all` adds sockets other users hold (shown without a pid). Stop a port's holder with `procd kill --port PORT` (`--adopt` for a process procd does not supervise); `procd wait --for port-free=PORT` confirms it is free.",
      usage: 'procd ports [--all] [--json]',
      options: {
        all: { type: 'boolean', short: 'a', help: "also sockets held by other users' processes (no pid or command: not yours to see)" },
      },
      examples: ['procd ports', 'procd ports --all', 'procd ports --json | jq ".[] | select(.port == 3000)"'],
    },
  },
} as const satisfies Record<string, MethodSpec>;
