// Specs of the CLI commands that are not one RPC method (they manage the daemon itself or its
// service files), in the same shape as the method table's CLI specs (shared/methods.ts).

import type { CliSpec } from '../../shared/method-spec.js';
import { MCP_CLI_SPECS } from './cli-only-mcp.js';
import { PROJECT_CLI_SPECS } from './cli-only-project.js';
import { DASHBOARD_CLI_SPECS } from './cli-only-dashboard.js';
import { TOP_CLI_SPECS } from './top/spec.js';

export const CLI_ONLY_SPECS = {
  daemon: {
    command: 'daemon',
    positionals: 'start|stop|restart|status|run',
    brief: 'start, stop, restart or inspect the daemon',
    summary:
      'Manage the daemon. `run` stays in the foreground (for systemd/launchd and debugging). `stop` stops running jobs first unless --keep-jobs; `restart` keeps jobs running and the new daemon re-adopts them.',
    usage: 'procd daemon start|stop|restart|status|run [--keep-jobs] [--on-alert CMD]',
    options: {
      'keep-jobs': { type: 'boolean', help: '(stop) leave running jobs alive for the next daemon' },
      'on-alert': { type: 'string', arg: 'CMD', help: "(start, restart, run) run CMD with /bin/sh for each alert, its JSON on stdin (the same as PROCD_ON_ALERT; alerts.json's onAlert keeps it for every start)" },
    },
    examples: ['procd daemon status', 'procd daemon stop', 'procd daemon restart', 'procd daemon run'],
  },
  group: {
    command: 'group',
    positionals: 'set|pause|resume|rm|ls [NAME]',
    brief: 'queue groups: parallel limits, pause, list',
    summary:
      'Queue groups (track --group G): `set NAME --parallel N` runs at most N of its jobs at once (the rest wait in the queue, highest priority first, first come first served within a priority; waiting raises a job\'s priority so none starves); `pause NAME` stops starting its queued jobs, `resume NAME` starts them again; `rm NAME` removes its settings; `ls` lists groups with running and queued counts.',
    usage: 'procd group set NAME [--parallel N|none] [--pause|--resume]   |   procd group pause|resume|rm NAME   |   procd group ls [--json]',
    options: {
      parallel: { type: 'string', arg: 'N|none', help: '(set) at most N of its jobs run at once; none: no limit' },
      pause: { type: 'boolean', help: '(set) stop starting its queued jobs' },
      resume: { type: 'boolean', help: '(set) start its queued jobs again' },
    },
    examples: ['procd group set gpu --parallel 2', 'procd track --group gpu -- python train.py', 'procd group pause gpu', 'procd group ls'],
  },
  service: {
    command: 'service',
    positionals: 'install|uninstall|status',
    brief: 'run the daemon as a systemd/launchd user service',
    summary:
      'Install procd as a user service: a systemd user unit on Linux, a launchd agent on macOS. The service runs `procd daemon run`, restarts it after a crash, and never kills jobs when the daemon stops or restarts. A daemon already running is stopped with --keep-jobs so the service takes over its jobs. See docs/service.md.',
    usage: 'procd service install|uninstall|status [--dry-run] [--json]',
    options: { 'dry-run': { type: 'boolean', short: 'n', help: '(install, uninstall) print the files and commands, change nothing' } },
    examples: ['procd service install --dry-run', 'procd service install', 'procd service status', 'procd service uninstall'],
  },
  ...PROJECT_CLI_SPECS,
  ...MCP_CLI_SPECS,
  ...DASHBOARD_CLI_SPECS,
  ...TOP_CLI_SPECS,
} as const satisfies Record<string, CliSpec>;
