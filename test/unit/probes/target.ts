// Test helper: a ProbeTarget with fixed fields, and a server on an ephemeral port that every test
// closes again (its open connections too), also when the test fails.

import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import type { ProbeTarget } from '../../../daemon/probes/check.js';
import { Spawned } from '../proc/spawned.js';

export function target(over: Partial<Omit<ProbeTarget, 'pids'>> & { pids?: readonly number[] } = {}): ProbeTarget {
  const { pids = [], ...rest } = over;
  return { jobId: 1, cwd: tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, dir: tmpdir(), ...rest, pids: async () => pids };
}

/** Tracks servers and their sockets so that closeAll() leaves nothing open. */
export class Servers {
  private servers: { server: Server; sockets: Set<Socket> }[] = [];

  /** Starts `server` listening on an ephemeral port of `host` and resolves with the port. */
  async listen(server: Server, host = '127.0.0.1'): Promise<number> {
    const sockets = new Set<Socket>();
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    this.servers.push({ server, sockets });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no port');
    return addr.port;
  }

  /** A port that nothing listens on: one that was just listened on and closed again. */
  async freePort(host = '127.0.0.1'): Promise<number> {
    const s = createServer();
    const port = await this.listen(s, host);
    await new Promise<void>((resolve) => s.close(() => resolve()));
    this.servers = this.servers.filter((x) => x.server !== s);
    return port;
  }

  async closeAll(): Promise<void> {
    for (const { server, sockets } of this.servers) {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.servers = [];
  }
}

/**
 * A port on 127.0.0.1 where a connect hangs: a Perl listener that never accepts, its accept
 * queue filled by connections made here until one stays unanswered (the kernel then drops
 * further SYNs). Resolves with the port and a function that closes the filler sockets.
 */
export async function unansweredPort(spawned: Spawned): Promise<{ port: number; release: () => void }> {
  const perl = spawned.spawn('perl', ['-MIO::Socket::INET', '-e', '$|=1; my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1:0") or die "$!"; print $s->sockport, "\\n"; sleep 600']);
  const port = Number(await Spawned.firstLine(perl));
  const fillers: Socket[] = [];
  const release = (): void => fillers.forEach((s) => s.destroy());
  for (let i = 0; i < 500; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => {});
    fillers.push(s);
    const answered = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 1000);
      s.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!answered) return { port, release };
  }
  release();
  throw new Error(`every connection to the never-accepting listener on ${port} was answered`);
}
