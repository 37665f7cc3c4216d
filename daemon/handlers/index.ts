// The dispatch table: one entry per method of the shared table, checked exhaustively by the type.

import type { HandlerTable } from '../server/dispatch.js';
import { adopt } from './adopt.js';
import { cleanup } from './cleanup.js';
import type { DaemonContext } from './context.js';
import { daemonStatus } from './daemon-status.js';
import { daemonStop } from './daemon-stop.js';
import { hello } from './hello.js';
import { kill } from './kill.js';
import { list } from './list.js';
import { logs } from './logs.js';
import { prune } from './prune.js';
import { rm } from './rm.js';
import { signal } from './signal.js';
import { status } from './status.js';
import { subscribe } from './subscribe.js';
import { track } from './track.js';
import { wait } from './wait.js';

export function createHandlers(ctx: DaemonContext): HandlerTable {
  return {
    hello: () => hello(),
    track: (p) => track(ctx, p),
    list: (p) => list(ctx, p),
    status: (p) => status(ctx, p),
    logs: (p, call) => logs(ctx, p, call),
    kill: (p) => kill(ctx, p),
    signal: (p) => signal(ctx, p),
    wait: (p, call) => wait(ctx, p, call),
    rm: (p) => rm(ctx, p),
    prune: (p) => prune(ctx, p),
    adopt: (p) => adopt(ctx, p),
    cleanup: (p) => cleanup(ctx, p),
    subscribe: (p, call) => subscribe(ctx, p, call),
    'daemon.status': () => daemonStatus(ctx),
    'daemon.stop': (p) => daemonStop(ctx, p),
  };
}
