// The pure parts of port detection: socket tables, addresses, attribution to pids, what changed
// between two readings, when tables must be read, the rows of `ports` and the plan of `kill --port`.

import { describe, expect, it } from 'vitest';
import { diffPorts, tablesDue } from '../../../daemon/monitor/ports.js';
import { portRows } from '../../../daemon/ports/holders.js';
import { planPortKill, portKillError } from '../../../daemon/ports/kill-port.js';
import { attributeSockets, hexAddress, parseProcNetTcp, parseSocketTable, type TableSocket } from '../../../daemon/proc/sockets.js';
import { portsDetail, portsText, type ListeningPort } from '../../../shared/ports.js';

const HEAD = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const row = (local: string, remote: string, st: string, uid: number, inode: number) => `   0: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000  ${uid}        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

describe('parseSocketTable', () => {
  it('keeps TCP sockets in LISTEN with their address, port, inode and uid; not connections', () => {
    const text = HEAD + row('0100007F:0BB8', '00000000:0000', '0A', 1000, 111) + row('0100007F:0BB8', '0100007F:D431', '01', 1000, 112) + row('00000000:1F90', '00000000:0000', '0A', 0, 113);
    expect(parseSocketTable(text, 'tcp', true)).toEqual([
      { inode: 111, port: 3000, protocol: 'tcp', address: '127.0.0.1', uid: 1000 },
      { inode: 113, port: 8080, protocol: 'tcp', address: '0.0.0.0', uid: 0 },
    ]);
    expect(parseProcNetTcp(text)).toEqual(new Map([[111, 3000], [113, 8080]]));
  });

  it('keeps bound, unconnected UDP sockets; not connected ones, not unbound ones', () => {
    const text = HEAD + row('00000000:14E9', '00000000:0000', '07', 1000, 201) + row('0100007F:9C40', '0100007F:0035', '01', 1000, 202) + row('00000000:0000', '00000000:0000', '07', 1000, 203);
    expect(parseSocketTable(text, 'udp', true)).toEqual([{ inode: 201, port: 5353, protocol: 'udp', address: '0.0.0.0', uid: 1000 }]);
  });

  it('reads IPv6 tables; skips short or malformed lines', () => {
    const v6 = HEAD + row('00000000000000000000000001000000:0BB8', '00000000000000000000000000000000:0000', '0A', 1000, 301) + '   1: garbage\n\n';
    expect(parseSocketTable(v6, 'tcp', true)).toEqual([{ inode: 301, port: 3000, protocol: 'tcp', address: '::1', uid: 1000 }]);
  });
});

describe('hexAddress', () => {
  it('IPv4 in host byte order', () => {
    expect(hexAddress('0100007F', true)).toBe('127.0.0.1');
    expect(hexAddress('7F000001', false)).toBe('127.0.0.1');
    expect(hexAddress('00000000', true)).toBe('0.0.0.0');
  });

  it('IPv6: the any address, loopback, compressed zero runs, v4-mapped', () => {
    expect(hexAddress('0'.repeat(32), true)).toBe('::');
    expect(hexAddress('00000000000000000000000001000000', true)).toBe('::1');
    // fe80::1 on a little-endian host: the first word's bytes reversed.
    expect(hexAddress('000080FE000000000000000001000000', true)).toBe('fe80::1');
    expect(hexAddress('0000000000000000FFFF00000100007F', true)).toBe('::ffff:127.0.0.1');
    expect(hexAddress('B80D0120000000000000000001000000', true)).toBe('2001:db8::1');
  });

  it('refuses what is not an address', () => {
    expect(hexAddress('xyz', true)).toBeNull();
    expect(hexAddress('0100', true)).toBeNull();
  });
});

const sock = (inode: number, port: number, protocol: 'tcp' | 'udp' = 'tcp', address = '0.0.0.0'): TableSocket => ({ inode, port, protocol, address, uid: 1000 });

describe('attributeSockets', () => {
  it('one port per socket held, by the lowest holder given; sockets held by nobody given are left out; sorted by port', () => {
    const sockets = [sock(1, 8080), sock(2, 3000), sock(3, 5353, 'udp'), sock(2, 3000)];
    expect(attributeSockets(sockets, new Map([[1, 20], [2, 10]]))).toEqual([
      { port: 3000, protocol: 'tcp', address: '0.0.0.0', pid: 10 },
      { port: 8080, protocol: 'tcp', address: '0.0.0.0', pid: 20 },
    ]);
  });
});

const lp = (port: number, pid = 1, address = '::'): ListeningPort => ({ port, protocol: 'tcp', address, pid });

describe('diffPorts', () => {
  it('announces only sockets not there before; a new holder of the same socket is a change, not a new socket', () => {
    expect(diffPorts([], [lp(3000)])).toEqual({ changed: true, added: [lp(3000)] });
    expect(diffPorts([lp(3000)], [lp(3000)])).toEqual({ changed: false, added: [] });
    expect(diffPorts([lp(3000, 1)], [lp(3000, 2)])).toEqual({ changed: true, added: [] });
    expect(diffPorts([lp(3000)], [lp(3000), lp(3000, 1, '0.0.0.0')])).toEqual({ changed: true, added: [lp(3000, 1, '0.0.0.0')] });
    expect(diffPorts([lp(3000)], [])).toEqual({ changed: true, added: [] });
  });
});

describe('tablesDue', () => {
  it('reads tables for a socket not classified yet, or at the refresh while any socket is held; never with no socket', () => {
    expect(tablesDue([], new Map(), true)).toBe(false);
    expect(tablesDue([7], new Map(), false)).toBe(true);
    expect(tablesDue([7], new Map([[7, null]]), false)).toBe(false);
    expect(tablesDue([7], new Map([[7, null]]), true)).toBe(true);
  });
});

describe('portRows', () => {
  it('one row per socket: the job of its holder, or none; sockets of no visible holder only with all; sorted by port', () => {
    const sockets = [sock(1, 8080), sock(2, 3000), sock(3, 22)];
    const holders = new Map([[1, 50], [2, 60]]);
    const jobs = new Map([[60, { id: 4, name: 'web' }]]);
    const commands = new Map<number, string | null>([[50, 'python3 -m http.server 8080'], [60, 'node server.js']]);
    expect(portRows(sockets, holders, jobs, commands, false)).toEqual([
      { port: 3000, protocol: 'tcp', address: '0.0.0.0', uid: 1000, pid: 60, command: 'node server.js', job: { id: 4, name: 'web' } },
      { port: 8080, protocol: 'tcp', address: '0.0.0.0', uid: 1000, pid: 50, command: 'python3 -m http.server 8080', job: null },
    ]);
    expect(portRows(sockets, holders, jobs, commands, true)[0]).toEqual({ port: 22, protocol: 'tcp', address: '0.0.0.0', uid: 1000, pid: null, command: null, job: null });
  });
});

describe('planPortKill', () => {
  const rows = portRows([sock(1, 3000), sock(2, 3000, 'tcp', '::'), sock(3, 4000), sock(4, 22)], new Map([[1, 60], [2, 61], [3, 70]]), new Map([[60, { id: 4, name: 'web' }], [61, { id: 4, name: 'web' }]]), new Map([[70, 'python3 -m http.server 4000']]), true);

  it('TCP and UDP on one number are different ports: TCP by default, UDP when asked', () => {
    const both = portRows([sock(5, 5353), sock(6, 5353, 'udp')], new Map([[5, 80], [6, 81]]), new Map([[80, { id: 7, name: 'tcp-srv' }], [81, { id: 8, name: 'udp-srv' }]]), new Map(), true);
    expect(planPortKill(both, 5353, 'tcp', false)).toEqual({ kind: 'stop', jobs: [7], adopt: [] });
    expect(planPortKill(both, 5353, 'udp', false)).toEqual({ kind: 'stop', jobs: [8], adopt: [] });
    expect(planPortKill(rows, 3000, 'udp', false)).toEqual({ kind: 'free' });
    expect(portKillError({ kind: 'free' }, 3000, 'udp').message).toBe('nothing listens on UDP port 3000');
  });

  it('a port held by jobs: those jobs, once each', () => {
    expect(planPortKill(rows, 3000, 'tcp', false)).toEqual({ kind: 'stop', jobs: [4], adopt: [] });
  });

  it('a port held by a process procd does not supervise: refused, unless adopt', () => {
    const refused = planPortKill(rows, 4000, 'tcp', false);
    expect(refused).toEqual({ kind: 'refused', holders: [{ pid: 70, command: 'python3 -m http.server 4000', uid: 1000 }], adoptable: true });
    expect(planPortKill(rows, 4000, 'tcp', true)).toEqual({ kind: 'stop', jobs: [], adopt: [70] });
    const err = portKillError(refused as Exclude<typeof refused, { kind: 'stop' }>, 4000);
    expect(err.codeName).toBe('PortNotSupervised');
    expect(err.message).toBe('port 4000 is held by pid 70 (python3 -m http.server 4000), which procd does not supervise; add --adopt (adopt: true) to adopt it and stop it, or stop it yourself');
  });

  it("another user's socket cannot be adopted; nothing listening is its own error", () => {
    const other = planPortKill(rows, 22, 'tcp', true);
    expect(other).toMatchObject({ kind: 'refused', adoptable: false });
    expect(portKillError(other as Exclude<typeof other, { kind: 'stop' }>, 22).message).toBe("port 22 is held by a process procd cannot see (another user's, or outside its view), which procd does not supervise: procd can only stop processes of yours");
    const free = planPortKill(rows, 9999, 'tcp', true);
    expect(free).toEqual({ kind: 'free' });
    expect(portKillError({ kind: 'free' }, 9999)).toMatchObject({ codeName: 'PortNotListening', message: 'nothing listens on TCP port 9999', data: { port: 9999, protocol: 'tcp' } });
  });
});

describe('display', () => {
  it('ls shows each port and protocol once; status each socket with its address and holder', () => {
    const ports = [lp(3000, 5, '0.0.0.0'), lp(3000, 5, '::'), { port: 5353, protocol: 'udp' as const, address: '0.0.0.0', pid: 6 }];
    expect(portsText(ports)).toBe('3000/tcp,5353/udp');
    expect(portsDetail(ports)).toBe('3000/tcp on 0.0.0.0 (pid 5), 3000/tcp on :: (pid 5), 5353/udp on 0.0.0.0 (pid 6)');
  });
});
