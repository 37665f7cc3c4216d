// `--metrics-port N`: GET /metrics without a token, for a local Prometheus scraper. It listens on
// 127.0.0.1 only, whatever --host says, and serves nothing else (the metrics hold job names, no
// output and no actions).

import { createServer, type Server } from 'node:http';
import type { ProcdClient } from '../index.js';
import { HttpError, toHttpError } from './http-error.js';
import { sendError, setSecurityHeaders } from './http-io.js';
import { serveMetrics } from './server.js';

export const METRICS_HOST = '127.0.0.1';

export function createMetricsServer(connectMetrics: () => Promise<ProcdClient>, log: (line: string) => void): Server {
  return createServer((req, res) => {
    setSecurityHeaders(res);
    const path = (req.url ?? '/').split('?')[0];
    const run = async () => {
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
}
