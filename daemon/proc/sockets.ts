// Listening sockets from /proc, the one detection behind the `listen` probe, the monitor's ports
// of each job, `procd ports`, `kill --port` and analyze's port conflicts. The kernel's socket
// tables (/proc/<pid>/net/{tcp,tcp6,udp,udp6}) give every listening socket with its inode; a
// process's file descriptors (/proc/<pid>/fd -> `socket:[inode]`) say which ones it holds.
//
// Tables are read through a pid of the namespace (/proc/<pid>/net/…), not /proc/net/…: the latter
// is the daemon's network namespace, and a job under `unshare -n` or `ip netns exec` listens in
// another one. Socket inodes are unique across namespaces, so matching stays exact.
//
// Everything here is synchronous like the daemon's other /proc reads (daemon/proc/procfs.ts):
// the kernel makes these files on read and never waits on a disk.

import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { comparePorts, type ListeningPort, type PortProtocol } from '../../shared/ports.js';

/** One listening socket of a table: its inode, and what ListeningPort shows of it. */
export interface TableSocket {
  inode: number;
  port: number;
  protocol: PortProtocol;
  address: string;
  /** The owner's uid as the table has it (for sockets no visible process holds). */
  uid: number;
}

export const SOCKET_TABLES = [
  { file: 'tcp6', protocol: 'tcp' },
  { file: 'tcp', protocol: 'tcp' },
  { file: 'udp6', protocol: 'udp' },
  { file: 'udp', protocol: 'udp' },
] as const;

const TCP_LISTEN = '0A';
/** TCP_CLOSE: for UDP, a socket that is not connected, i.e. one that receives from anyone. */
const UDP_UNCONNECTED = '07';
const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * The listening sockets of one /proc/<pid>/net/{tcp,tcp6,udp,udp6} table: TCP sockets in LISTEN,
 * UDP sockets bound to a port and not connected (what `ss -l` shows as UNCONN).
 */
export function parseSocketTable(text: string, protocol: PortProtocol, littleEndian = LITTLE_ENDIAN): TableSocket[] {
  const out: TableSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const state = f[3];
    if (protocol === 'tcp' ? state !== TCP_LISTEN : state !== UDP_UNCONNECTED || !/^[0:]+$/.test(f[2]!)) continue;
    const local = f[1]!;
    const colon = local.lastIndexOf(':');
    const port = parseInt(local.slice(colon + 1), 16);
    const inode = Number(f[9]);
    const address = hexAddress(local.slice(0, colon), littleEndian);
    if (Number.isInteger(port) && port > 0 && inode > 0 && address !== null) out.push({ inode, port, protocol, address, uid: Number(f[7]) });
  }
  return out;
}

/** The TCP listeners of a tcp or tcp6 table: inode -> local port (the `listen` probe's view). */
export function parseProcNetTcp(text: string): Map<number, number> {
  return new Map(parseSocketTable(text, 'tcp').map((s) => [s.inode, s.port]));
}

/**
 * A table's hex address as text. The kernel prints each 32-bit word in host byte order: IPv4 is one
 * word (`0100007F` is 127.0.0.1 on a little-endian host), IPv6 four.
 */
export function hexAddress(hex: string, littleEndian = LITTLE_ENDIAN): string | null {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return null;
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = [0, 2, 4, 6].map((i) => parseInt(hex.slice(w + i, w + i + 2), 16));
    bytes.push(...(littleEndian ? word.reverse() : word));
  }
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  return ipv6Text(groups);
}

/** RFC 5952 text: lowercase, the longest run of two or more zero groups as `::`. */
function ipv6Text(groups: number[]): string {
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (best.at < 0) return hex(groups);
  return `${hex(groups.slice(0, best.at))}::${hex(groups.slice(best.at + best.len))}`;
}

/**
 * Which process of `holders` holds each listening socket: one ListeningPort per socket, sorted by
 * port. A socket held by several (a forking server's workers) is attributed to the lowest pid
 * (the parent, usually). Sockets no holder has are left out: they are someone else's.
 */
export function attributeSockets(sockets: Iterable<TableSocket>, holders: ReadonlyMap<number, number>): ListeningPort[] {
  const out: ListeningPort[] = [];
  const seen = new Set<number>();
  for (const s of sockets) {
    const pid = holders.get(s.inode);
    if (pid === undefined || seen.has(s.inode)) continue;
    seen.add(s.inode);
    out.push({ port: s.port, protocol: s.protocol, address: s.address, pid });
  }
  return out.sort(comparePorts);
}

/** The socket inodes `pid` holds open ([] when it ended or is not ours to see). */
export function socketInodesOf(pid: number, fds: readonly string[] = fdNames(pid)): number[] {
  const out: number[] = [];
  for (const fd of fds) {
    const m = /^socket:\[(\d+)\]$/.exec(tryOr(() => readlinkSync(`/proc/${pid}/fd/${fd}`), ''));
    if (m) out.push(Number(m[1]));
  }
  return out;
}

/** The open fd numbers of `pid` ([] when it ended or is not ours to see). */
export function fdNames(pid: number): string[] {
  return tryOr(() => readdirSync(`/proc/${pid}/fd`), []);
}

/** The network namespace `pid` lives in (`pid:N` when unreadable: treated as its own). */
export function netNamespaceOf(pid: number): string {
  return tryOr(() => readlinkSync(`/proc/${pid}/ns/net`), `pid:${pid}`);
}

/** Every listening socket of the namespace `pid` lives in ('self': the daemon's), from the tables given. */
export function readSocketTables(pid: number | 'self', tables: readonly (typeof SOCKET_TABLES)[number][] = SOCKET_TABLES): TableSocket[] {
  return tables.flatMap((t) => parseSocketTable(readProcText(`/proc/${pid}/net/${t.file}`), t.protocol));
}

/** For each pid holding a socket: inode -> the lowest such pid, and one pid per network namespace. */
export function socketHolders(pids: readonly number[]): { holders: Map<number, number>; namespaces: Map<string, number> } {
  const holders = new Map<number, number>();
  const namespaces = new Map<string, number>();
  for (const pid of [...pids].sort((a, b) => a - b)) {
    const inodes = socketInodesOf(pid);
    if (!inodes.length) continue;
    for (const inode of inodes) if (!holders.has(inode)) holders.set(inode, pid);
    const ns = netNamespaceOf(pid);
    if (!namespaces.has(ns)) namespaces.set(ns, pid);
  }
  return { holders, namespaces };
}

/** The listening sockets `pids` hold (each namespace's tables read once; none read when no pid holds a socket). */
export function listenersOf(pids: readonly number[]): ListeningPort[] {
  const { holders, namespaces } = socketHolders(pids);
  const sockets = [...namespaces.values()].flatMap((pid) => readSocketTables(pid));
  return attributeSockets(sockets, holders);
}

const tableBuf = Buffer.allocUnsafe(64 * 1024);

/** A whole /proc text file ('' when it cannot be read: the pid ended, or no such table). */
export function readProcText(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const parts: string[] = [];
    for (let n; (n = readSync(fd, tableBuf, 0, tableBuf.length, null)) > 0; ) parts.push(tableBuf.toString('latin1', 0, n));
    return parts.join('');
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

function tryOr<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback; // ENOENT: the process or fd went away meanwhile; EACCES: not ours to see
  }
}
