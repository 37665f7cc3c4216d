// metrics: Prometheus metrics as families (daemon/metrics/families.ts); shared/metrics.ts renders them.

import { VERSION } from '../../shared/version.js';
import type { ParamsOf, ResultOf } from '../../shared/methods.js';
import { PROTOCOL_VERSION } from '../../shared/methods.js';
import { METRICS_TOP_JOBS_DEFAULT } from '../../shared/methods-metrics.js';
import { metricFamilies } from '../metrics/families.js';
import type { DaemonContext } from './context.js';

export function metrics(ctx: DaemonContext, params: ParamsOf<'metrics'>): ResultOf<'metrics'> {
  const cpu = process.cpuUsage();
  const families = metricFamilies({
    jobs: [...ctx.table.all()],
    topJobs: params.topJobs ?? METRICS_TOP_JOBS_DEFAULT,
    restarts: ctx.metrics.restarts,
    rpc: ctx.metrics.rpc.samples(),
    droppedSubscribers: ctx.events.droppedSubscribers,
    unsavedEvents: ctx.events.unsavedEvents,
    connections: ctx.connectionCount(),
    daemon: { rssBytes: process.memoryUsage.rss(), cpuSeconds: (cpu.user + cpu.system) / 1e6, startTimeSeconds: ctx.startedAt / 1000 },
    build: { version: VERSION, node: process.version, protocol: String(PROTOCOL_VERSION) },
  });
  return { families };
}
