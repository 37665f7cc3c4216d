// Spec of `procd dashboard` (issue 16): a web dashboard and HTTP API served by a client of the
// daemon, with no daemon method of its own. Spread into CLI_ONLY_SPECS (cli-only.ts).

import type { CliSpec } from '../../shared/method-spec.js';

export const DASHBOARD_CLI_SPECS = {
  dashboard: {
    command: 'dashboard',
    positionals: null,
    brief: 'a live web dashboard and HTTP JSON API (token-protected)',
    summary:
      'Serve a live web dashboard and its HTTP JSON API (GET /api/openapi.json describes it) on 127.0.0.1 at a free port, and print its URL with a fresh access token. The browser swaps the token for a session cookie (a separate secret, never the token); scripts send Authorization: Bearer TOKEN. Actions (POST) also need the X-Procd-Token header and a same-origin request. Runs until Ctrl-C.',
    usage: 'procd dashboard [--port N] [--host H] [--open] [--read-only] [--metrics-port N] [--json]',
    options: {
      port: { type: 'string', arg: 'N', help: 'listen on this port (default: a free one)' },
      host: { type: 'string', arg: 'H', help: 'listen on this address (default 127.0.0.1; another than loopback is reachable from the network and prints a warning)' },
      open: { type: 'boolean', help: 'open the URL in the desktop browser' },
      'read-only': { type: 'boolean', help: 'refuse every action (kill, restart, pause, resume, signal, track, cleanup)' },
      'metrics-port': { type: 'string', arg: 'N', help: 'also serve GET /metrics without a token on 127.0.0.1:N, for a local Prometheus scraper (0: a free port)' },
    },
    examples: ['procd dashboard', 'procd dashboard --open', 'procd dashboard --port 8765 --read-only', 'procd dashboard --metrics-port 9464', 'procd dashboard --json'],
  },
} as const satisfies Record<string, CliSpec>;
