// `procd dashboard`: serves the web dashboard and its HTTP API, as a client of the daemon. Loaded
// only by that command (the CLI imports this file at run time; it is not in the CLI's bundles).
// Prints the URL with a fresh token once; runs until SIGINT or SIGTERM.

import type { Server } from 'node:http';
import { connect } from '../index.js';
import { loadAssets } from './assets-files.js';
import { streamConnection } from './events-stream.js';
import { DaemonLink } from './daemon-link.js';
import { createMetricsServer, METRICS_HOST } from './metrics-server.js';
import { openBrowser } from './open-browser.js';
import { isLoopbackHost, loopbackHostNames, newToken } from './security.js';
import { createDashboardServer } from './server.js';

export interface DashboardOptions {
  /** 0: a free port. */
  port: number;
  host: string;
  open: boolean;
  readOnly: boolean;
  json: boolean;
  /** Given explicitly (a non-loopback host must be). */
  hostGiven: boolean;
  /** Also serve GET /metrics without a token on 127.0.0.1 at this port (0: a free one); null: not. */
  metricsPort: number | null;
  /** Whether its start may start the daemon (never later: see daemon-link.ts); false with --no-autostart. */
  autostart?: boolean;
}

const DEFAULT_HEARTBEAT_MS = 15_000;
const DEFAULT_MAX_STREAMS = 64;
/** An API call rides out a daemon restart (~3 s of backoff), then answers 503 DaemonNotRunning. */
const API_RETRY = { attempts: 5 };

/** Runs the dashboard until a signal; returns the exit code (errors are printed here, not thrown across bundles). */
export async function runDashboard(o: DashboardOptions): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`procd dashboard: ${message}\n`);
    return 1;
  };
  if (!isLoopbackHost(o.host)) {
    if (!o.hostGiven) return fail(`refusing to listen on ${o.host} without --host`);
  }
  let assets;
  try {
    assets = await loadAssets();
  } catch (err) {
    return fail((err as Error).message);
  }
  let daemon: DaemonLink;
  try {
    // Like `procd top`: the start may autostart the daemon; every later (re)connect does not.
    const first = await connect({ clientName: 'procd-dashboard', via: 'dashboard', ...(o.autostart === false ? { autostart: false } : {}) });
    first.close();
    const apiConnection = () => connect({ autostart: false, reconnect: API_RETRY, clientName: 'procd-dashboard', via: 'dashboard' });
    daemon = new DaemonLink(await apiConnection(), apiConnection);
  } catch (err) {
    return fail(`cannot reach the daemon: ${(err as Error).message}`);
  }
  const token = newToken();
  const heartbeatMs = Number(process.env.PROCD_DASHBOARD_HEARTBEAT_MS) || DEFAULT_HEARTBEAT_MS;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const maxStreams = Number(process.env.PROCD_DASHBOARD_MAX_STREAMS) || DEFAULT_MAX_STREAMS;
  const connectMetrics = () => connect({ autostart: false, clientName: 'procd-dashboard', via: 'dashboard metrics', callTimeoutMs: 5_000 });
  const server = createDashboardServer({ token, sessionSecret: newToken(), readOnly: o.readOnly, daemon, connectStream: streamConnection, connectMetrics, assets, heartbeatMs, maxStreams, openStreams: { count: 0 }, hostNames: isLoopbackHost(o.host) ? loopbackHostNames(o.host) : null, log });
  try {
    await listen(server, o.port, o.host);
  } catch (err) {
    daemon.close();
    const e = err as NodeJS.ErrnoException;
    return fail(e.code === 'EADDRINUSE' ? `port ${o.port} is in use on ${o.host}; pick another with --port, or leave it out for a free one` : `cannot listen on ${o.host}:${o.port}: ${e.message}`);
  }
  const port = (server.address() as { port: number }).port;
  // Said once it listens (a host that does not resolve fails above, with no warning first).
  if (!isLoopbackHost(o.host)) {
    const can = o.readOnly ? 'can see your jobs, their commands and output' : 'can act on your jobs (consider --read-only)';
    process.stderr.write(`procd dashboard: WARNING: listening on ${o.host}, reachable from the network over plain HTTP; anyone with the URL (its token) ${can}\n`);
  }
  let metricsUrl: string | null = null;
  let metricsServer: Server | null = null;
  if (o.metricsPort !== null) {
    metricsServer = createMetricsServer(connectMetrics, log);
    try {
      await listen(metricsServer, o.metricsPort, METRICS_HOST);
    } catch (err) {
      server.close();
      daemon.close();
      const e = err as NodeJS.ErrnoException;
      return fail(e.code === 'EADDRINUSE' ? `--metrics-port ${o.metricsPort} is in use on ${METRICS_HOST}; pick another` : `cannot listen on ${METRICS_HOST}:${o.metricsPort}: ${e.message}`);
    }
    metricsUrl = `http://${METRICS_HOST}:${(metricsServer.address() as { port: number }).port}/metrics`;
  }
  const url = `http://${o.host.includes(':') && !o.host.startsWith('[') ? `[${o.host}]` : o.host}:${port}/?token=${token}`;
  if (o.json) process.stdout.write(`${JSON.stringify({ url, host: o.host, port, token, readOnly: o.readOnly, metricsUrl })}\n`);
  else process.stdout.write(`procd dashboard${o.readOnly ? ' (read-only)' : ''}: ${url}\n  open it in a browser (it then keeps a session cookie); scripts send the URL's token as Authorization: Bearer TOKEN; Ctrl-C stops it\n${metricsUrl ? `  metrics without a token (loopback only): ${metricsUrl}\n` : ''}`);
  const removeLauncher = o.open ? openBrowser(url, log) : () => {};
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await Promise.all([server, metricsServer].map((srv) => (srv ? new Promise<void>((resolve) => {
    srv.close(() => resolve());
    srv.closeAllConnections();
  }) : undefined)));
  daemon.close();
  removeLauncher();
  return 0;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: host.replace(/^\[(.*)\]$/, '$1') }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
