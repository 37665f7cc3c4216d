// Listening sockets (issue 15 §3): what a job's tree listens on, and what `procd ports` lists.
// Types and small pure helpers only, so the CLI's hot path can format them without a schema library.

export type PortProtocol = 'tcp' | 'udp';

/** A listening socket: a TCP socket in LISTEN, or a bound, unconnected UDP socket. */
export interface ListeningPort {
  port: number;
  protocol: PortProtocol;
  /** The local address as the kernel has it: `0.0.0.0`, `::` (every address), `127.0.0.1`, `::1`, … */
  address: string;
  /** The process holding it (the first one found when several share it, e.g. after a fork). */
  pid: number;
}

/** Ordered by port, then protocol, address and pid: the one order every listing uses. */
export function comparePorts(a: ListeningPort, b: ListeningPort): number {
  return a.port - b.port || a.protocol.localeCompare(b.protocol) || a.address.localeCompare(b.address) || a.pid - b.pid;
}

/** The socket a listener is, whoever holds it: two forks sharing one socket are one listener. */
export function socketKey(p: Pick<ListeningPort, 'port' | 'protocol' | 'address'>): string {
  return `${p.protocol}/${p.address}/${p.port}`;
}

/** `3000/tcp,5353/udp`: each port and protocol once (IPv4 and IPv6 listeners of one server are one entry), in the order given. */
export function portsText(ports: readonly ListeningPort[]): string {
  const seen = new Set<string>();
  for (const p of ports) seen.add(`${p.port}/${p.protocol}`);
  return [...seen].join(',');
}

/** `3000/tcp on :: (pid 41235)`: each socket with its address and holder, for `procd status`. */
export function portsDetail(ports: readonly ListeningPort[]): string {
  return ports.map((p) => `${p.port}/${p.protocol} on ${p.address} (pid ${p.pid})`).join(', ');
}

/** "TCP port 3000", or "port 3000" when the protocol is not known: how every message names a port. */
export function portText(p: { port: number | string | null; protocol?: PortProtocol | undefined }): string {
  return `${p.protocol ? `${p.protocol.toUpperCase()} ` : ''}port ${p.port ?? '?'}`;
}
