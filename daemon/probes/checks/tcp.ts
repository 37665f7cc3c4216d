// `tcp=[HOST:]PORT`: the check succeeds when a TCP connection to HOST:PORT is established. The
// connection is closed at once; nothing is sent. Costs one socket per check and no process.

import { connect, type Socket } from 'node:net';
import type { ProbeCondition } from '../../../shared/conditions.js';
import type { CheckResult, ProbeCheck } from '../check.js';
import { bounded, errorCode } from './common.js';

type TcpCondition = Extract<ProbeCondition, { kind: 'tcp' }>;

/** host:port as people write it: [::1]:5432 for IPv6. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function createTcpCheck(condition: TcpCondition): ProbeCheck {
  const where = hostPort(condition.host, condition.port);
  const open = new Set<Socket>();
  return {
    run(timeoutMs: number): Promise<CheckResult> {
      const socket = connect({ host: condition.host, port: condition.port });
      open.add(socket);
      const attempt = new Promise<CheckResult>((resolve) => {
        socket.once('connect', () => resolve({ ok: true, detail: `connected to ${where}` }));
        socket.on('error', (err) => resolve({ ok: false, detail: `${errorCode(err)} ${where}` }));
      });
      // Whatever the answer (or none in time), the socket is done with: destroy it.
      return bounded(attempt, timeoutMs).finally(() => {
        socket.destroy();
        open.delete(socket);
      });
    },
    close(): void {
      for (const s of open) s.destroy();
      open.clear();
    },
  };
}
