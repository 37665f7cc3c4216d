// `listen[=PORT]`: the job's process tree holds a listening TCP socket (on PORT, or on any port).
// Found without spawning anything on Linux: the kernel's socket tables give the inode of every
// listening socket, and the tree's file descriptors (/proc/<pid>/fd -> `socket:[inode]`) say which
// of them belong to the job. Where /proc has no socket tables (macOS), `lsof` answers instead.
//
// Which table: /proc/<pid>/net/tcp{,6} of the job's own processes, not /proc/net/tcp. The latter
// is the daemon's network namespace; a job started under `unshare -n`, a container runtime or
// `ip netns exec` listens in another one and would never be seen. The per-pid file shows the
// namespace that pid lives in; socket inodes are unique across namespaces, so matching stays
// exact. The tables are read once per distinct namespace (/proc/<pid>/ns/net), i.e. once per
// check for nearly every job.
//
// A listener found in the tables but held by no pid of the tree (another job's, or a process
// that left the tree) does not count: the check is about this job.

import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import type { ProbeCondition } from '../../../shared/conditions.js';
import type { CheckResult, ProbeCheck, ProbeTarget } from '../check.js';
import { bounded, clip, errorCode } from './common.js';
import { attributeSockets, readSocketTables, socketHolders, SOCKET_TABLES } from '../../proc/sockets.js';

type ListenCondition = Extract<ProbeCondition, { kind: 'listen' }>;

/** A listening socket held by a process of the tree. */
export interface Listener {
  pid: number;
  port: number;
}

/** Where listeners are found: the /proc tables, lsof, or neither (the check says so). */
export type ListenSource = 'proc' | 'lsof' | 'none';

export { parseProcNetTcp } from '../../proc/sockets.js';

/** `lsof -F pn` output: `p<pid>` starts a process, `n<addr>:<port>` names one of its sockets. */
export function parseLsof(text: string): Listener[] {
  const out: Listener[] = [];
  let pid = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('p')) pid = Number(line.slice(1));
    else if (line.startsWith('n') && pid > 0) {
      const port = Number(line.slice(line.lastIndexOf(':') + 1));
      if (Number.isInteger(port) && port > 0) out.push({ pid, port });
    }
  }
  return out;
}

/** The answer from what was found: pure, so every wording is unit-tested. */
export function decideListen(want: number | null, found: readonly Listener[], pidCount: number): CheckResult {
  if (pidCount === 0) return { ok: false, detail: 'no process in the tree' };
  const hit = found.find((l) => want === null || l.port === want);
  if (hit) return { ok: true, detail: `listening on ${hit.port} (pid ${hit.pid})` };
  const ports = [...new Set(found.map((l) => l.port))].sort((a, b) => a - b);
  if (want === null || ports.length === 0) return { ok: false, detail: want === null ? 'no TCP listener in the tree' : `not listening on ${want} (no TCP listener in the tree)` };
  return { ok: false, detail: clip(`not listening on ${want} (listening on ${ports.join(', ')})`) };
}

/**
 * The listeners of `pids` from /proc (daemon/proc/sockets.ts); pids that ended meanwhile are
 * skipped. With `want`, stops at the first listener that answers the check (any one when want is
 * null). The tables are the expensive part (~2 ms of kernel time each on the development machine:
 * the kernel walks its whole TCP hash, 262,144 buckets there, plus every socket of the namespace),
 * so the tree's fds come first, and a tree holding no socket at all (a job that has not opened its
 * port yet) costs no table read.
 */
export function procListeners(pids: readonly number[], want: number | null = null): Listener[] {
  const { holders, namespaces } = socketHolders(pids);
  const found: Listener[] = [];
  for (const pid of namespaces.values()) {
    // tcp6 first: a server listening on the default `::` is there, and the table is usually short.
    for (const table of SOCKET_TABLES.filter((t) => t.protocol === 'tcp')) {
      for (const l of attributeSockets(readSocketTables(pid, [table]), holders)) found.push({ pid: l.pid, port: l.port });
      if (found.some((l) => want === null || l.port === want)) return found;
    }
  }
  return found;
}

/** The listeners of `pids` from lsof. */
export function lsofListeners(pids: readonly number[], timeoutMs: number): Promise<Listener[]> {
  return new Promise((resolve, reject) => {
    const args = ['-nP', '-a', '-p', pids.join(','), '-iTCP', '-sTCP:LISTEN', '-Fpn'];
    execFile('lsof', args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 }, (err, stdout) => {
      const code = (err as { code?: unknown } | null)?.code;
      // Exit 1: nothing matched, or some pid was gone (what the others hold is still printed).
      if (err && code !== 1) reject(err);
      else resolve(parseLsof(stdout));
    });
  });
}

let sourceFound: Promise<ListenSource> | null = null;

/** /proc when it has socket tables, else lsof when it is on PATH, else none (looked up once). */
export function listenSource(): Promise<ListenSource> {
  sourceFound ??= (async () => {
    if (await access('/proc/self/net/tcp').then(() => true, () => false)) return 'proc';
    const lsof = await new Promise<boolean>((resolve) => execFile('lsof', ['-v'], (err) => resolve(!err || (err as { code?: unknown }).code !== 'ENOENT')));
    return lsof ? 'lsof' : 'none';
  })();
  return sourceFound;
}

export function createListenCheck(condition: ListenCondition, target: ProbeTarget, source: () => Promise<ListenSource> = listenSource): ProbeCheck {
  const check = async (timeoutMs: number): Promise<CheckResult> => {
    const how = await source();
    if (how === 'none') return { ok: false, detail: '`listen` needs /proc (Linux) or lsof; neither is available here' };
    const pids = await target.pids();
    if (pids.length === 0) return decideListen(condition.port, [], 0);
    const found = how === 'proc' ? procListeners(pids, condition.port) : await lsofListeners(pids, timeoutMs);
    return decideListen(condition.port, found, pids.length);
  };
  return {
    run: (timeoutMs: number) => bounded(check(timeoutMs).catch((err: unknown) => ({ ok: false, detail: clip(`cannot list sockets: ${errorCode(err)}`) })), timeoutMs),
    close(): void {
      // Holds nothing between checks; an lsof still running ends at its own timeout.
    },
  };
}
