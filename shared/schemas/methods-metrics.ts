// Params and result of `metrics` (issue 16, shared/metrics.ts), spread into METHOD_SCHEMAS (methods.ts).

import * as v from 'valibot';
import { int, obj, opt } from './valid.js';

const labels = v.record(v.string(), v.string());
const sample = v.object({ labels, value: v.number() });
const histogramSample = v.object({ labels, buckets: v.array(v.object({ le: v.number(), count: v.number() })), count: v.number(), sum: v.number() });
const family = v.union([
  v.object({ name: v.string(), help: v.string(), type: v.picklist(['gauge', 'counter']), samples: v.array(sample) }),
  v.object({ name: v.string(), help: v.string(), type: v.literal('histogram'), samples: v.array(histogramSample) }),
]);

export const METRICS_METHOD_SCHEMAS = {
  metrics: {
    params: obj({ topJobs: opt(int({ min: 0, max: 1000 })) }),
    result: v.object({ families: v.array(family) }),
    example: {
      params: { topJobs: 5 },
      result: {
        families: [
          { name: 'procd_up', help: 'Whether the procd daemon answered (1) or not (0).', type: 'gauge', samples: [{ labels: {}, value: 1 }] },
          { name: 'procd_jobs', help: 'Jobs by state.', type: 'gauge', samples: [{ labels: { state: 'running' }, value: 3 }] },
          { name: 'procd_job_cpu_ratio', help: 'CPU in use by a live job, in cores.', type: 'gauge', samples: [{ labels: { job: '3', name: 'web' }, value: 0.125 }] },
          {
            name: 'procd_rpc_duration_seconds',
            help: 'Time to answer an RPC call, by method.',
            type: 'histogram',
            samples: [{ labels: { method: 'status' }, buckets: [{ le: 0.0005, count: 10 }, { le: 0.001, count: 12 }], count: 12, sum: 0.0051 }],
          },
        ],
      },
    },
  },
};
