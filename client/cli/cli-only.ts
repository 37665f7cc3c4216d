// Specs of the CLI commands that are not one RPC method (they manage the daemon itself or its
// service files), in the same shape as the method table's CLI specs (shared/methods.ts).

import type { CliSpec } from '../../shared/method-spec.js';
import { PROJECT_CLI_SPECS } from './cli-only-project.js';

export const CLI_ONLY_SPECS = {
  daemon: {
    command: 'daemon',
    positionals: 'start|stop|restart|status|run',
    brief: 'start, stop, restart or inspect the daemon',
    summary:
      'Manage the daemon. `run` stays in the foreground (for systemd/launchd and debugging). `stop` stops running jobs first unless --keep-jobs; `restart` keeps jobs running and the new daemon re-adopts them.',
    usage: 'procd daemon start|stop|restart|status|run [--keep-jobs]',
    options: { 'keep-jobs': { type: 'boolean', help: '(stop) leave running jobs alive for the next daemon' } },
    examples: ['procd daemon status', 'procd daemon stop', 'procd daemon restart', 'procd daemon run'],
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
} as const satisfies Record<string, CliSpec>;
