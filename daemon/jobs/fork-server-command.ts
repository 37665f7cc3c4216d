// Which fork server starts a shim command's shims, and how it is run. The Perl shim serves itself
// (`perl procd-shim.pl --serve`: its code and modules loaded once, each shim a fork without an
// exec, daemon/shim/perl/Server.pm); the native binary serves the native shim. Both speak one
// protocol (daemon/shim/native/server.c), read by fork-server.ts. Pure: the caller says what exists.

import type { ShimCommand } from './shim-runner.js';

export type ForkServerCommand = { file: string; args: string[] } | { none: string };

export function forkServerCommand(command: ShimCommand, nativeBinary: string, exists: (path: string) => boolean): ForkServerCommand {
  if (command.kind === 'perl') return { file: command.file, args: [...command.args, '--serve'] };
  if (!exists(nativeBinary)) return { none: `the fork server ${nativeBinary} does not exist (no native shim built)` };
  return { file: nativeBinary, args: ['--serve', command.file, ...command.args] };
}
