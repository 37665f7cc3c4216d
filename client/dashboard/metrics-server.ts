// `--metrics-port N`: GET /metrics without a token, for a local Prometheus scraper. It listens on
// 127.0.0.1 only, whatever --host says, answers only Host 127.0.0.1|localhost|[::1]:PORT (no
// DNS rebinding), and serves nothing else (the metrics hold job names, no output and no actions).

import { createServer, type Server } from 'node:http';
import type { ProcdClient } from '../index.js';
import { HttpError, toHttpError } from './http-error.js';
import { sendError, setSecurityHeaders } from './http-io.js';
import { hostProblem, loopbackHostNames } from './security.js';
import { serveMetrics } from './server.js';

export const METRICS_HOST = '127.0.0.1';

export function createMetricsServer(connectMetrics: () => Promise<ProcdClient>, log: (line: string) => void): Server {
  const hostNames = loopbackHostNames(METRICS_HOST);
  const server = createServer((req, res) => {
    setSecurityHeaders(res);
    const path = (req.url ?? '/').split('?')[0];
    const run = async () => {
      // No token here: only the Host check keeps a DNS-rebinding page from reading the job names.
      const badHost = hostProblem(req.headers.host, hostNames, (server.address() as { port: number } | null)?.port ?? 0);
      if (badHost) throw new HttpError(403, 'HostRefused', badHost);
      if (path !== '/metrics') throw new HttpError(404, 'NotFound', 'this port serves GET /metrics only');
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'MethodNotAllowed', `/metrics takes GET, not ${req.method}`, { allowed: ['GET'] });
      await serveMetrics(res, connectMetrics, new URL(req.url ?? '/', 'http://metrics.invalid').searchParams);
    };
    run().catch((err: unknown) => {
      const httpErr = toHttpError(err);
      if (httpErr.status === 500) log(`procd dashboard: /metrics failed: ${(err as Error)?.stack ?? String(err)}`);
      sendError(res, httpErr);
    });
  });
  return server;
}
