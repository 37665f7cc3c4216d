// The dispatch table: one entry per method of the shared table, checked exhaustively by the type.
// A method the table marks `mutates` answers only once its change is on disk (journal fsynced).

import { METHOD_SPECS, type MethodName } from '../../shared/methods.js';
import type { Handler, HandlerTable } from '../server/dispatch.js';
import { adopt } from './adopt.js';
import { analyze, stats } from './analyze.js';
import { audit } from './audit.js';
import { cleanup } from './cleanup.js';
import type { DaemonContext } from './context.js';
import { count } from './count.js';
import { daemonStatus } from './daemon-status.js';
import { daemonStop } from './daemon-stop.js';
import { discover } from './discover.js';
import { history } from './history.js';
import { hello, noteIdentity } from './hello.js';
import { ports } from './ports.js';
import { kill } from './kill.js';
import { list, rows } from './list.js';
import { logs } from './logs.js';
import { metrics } from './metrics.js';
import { pause, resume } from './pause.js';
import { restart } from './restart.js';
import { prune } from './prune.js';
import { progress } from './progress.js';
import { groupLs, groupRm, groupSet, priority } from './queue.js';
import { release } from './release.js';
import { rm } from './rm.js';
import { signal } from './signal.js';
import { status } from './status.js';
import { subscribe } from './subscribe.js';
import { track } from './track.js';
import { trends } from './trends.js';
import { wait } from './wait.js';

export function createHandlers(ctx: DaemonContext): HandlerTable {
  const handlers: HandlerTable = {
    hello: (p, call) => {
      noteIdentity(p, call);
      return hello();
    },
    track: (p, call) => track(ctx, p, call),
    list: (p) => list(ctx, p),
    rows: (p) => rows(ctx, p),
    count: (p) => count(ctx, p),
    status: (p) => status(ctx, p),
    logs: (p, call) => logs(ctx, p, call),
    kill: (p, call) => kill(ctx, p, call),
    signal: (p) => signal(ctx, p),
    pause: (p) => pause(ctx, p),
    restart: (p) => restart(ctx, p),
    'group.set': (p) => groupSet(ctx, p),
    'group.rm': (p) => groupRm(ctx, p),
    'group.ls': () => groupLs(ctx),
    priority: (p) => priority(ctx, p),
    history: (p) => history(ctx, p),
    progress: (p) => progress(ctx, p),
    resume: (p) => resume(ctx, p),
    wait: (p, call) => wait(ctx, p, call),
    rm: (p) => rm(ctx, p),
    prune: (p) => prune(ctx, p),
    adopt: (p, call) => adopt(ctx, p, call),
    release: (p) => release(ctx, p),
    cleanup: (p) => cleanup(ctx, p),
    trends: (p) => trends(ctx, p),
    subscribe: (p, call) => subscribe(ctx, p, call),
    analyze: (p, call) => analyze(ctx, p, call),
    stats: () => stats(ctx),
    audit: (p) => audit(ctx, p),
    'rpc.discover': () => discover(),
    metrics: (p) => metrics(ctx, p),
    ports: (p) => ports(ctx, p),
    'daemon.status': () => daemonStatus(ctx),
    'daemon.stop': (p) => daemonStop(ctx, p),
  };
  for (const name of Object.keys(handlers) as MethodName[]) {
    if (METHOD_SPECS[name].mutates) durableBeforeAnswer(handlers, name, () => ctx.table.flush());
  }
  return handlers;
}

/** Wraps a handler so its answer waits for the flush (group commit: free when already on disk). */
function durableBeforeAnswer<M extends MethodName>(handlers: HandlerTable, name: M, flush: () => Promise<void>): void {
  const inner = handlers[name] as Handler<M>;
  const wrapped: Handler<M> = async (params, call) => {
    const result = await inner(params, call);
    await flush();
    return result;
  };
  (handlers as Record<M, Handler<M>>)[name] = wrapped;
}
