// The RPC latency histogram (issue 16): one row of bucket counts per method, fed by the dispatch for
// every answered call. Cheap on the hot path: a scan of 16 fixed bounds and three additions.

import { RPC_LATENCY_BUCKETS, type HistogramSample } from '../../shared/metrics.js';

interface Row {
  /** Calls per bucket (not cumulative); the last slot counts those above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

export class RpcLatency {
  private readonly rows = new Map<string, Row>();

  constructor(private readonly bounds: readonly number[] = RPC_LATENCY_BUCKETS) {}

  record(method: string, seconds: number): void {
    let row = this.rows.get(method);
    if (!row) {
      row = { counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.rows.set(method, row);
    }
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]!) i++;
    row.counts[i]!++;
    row.sum += seconds;
    row.count++;
  }

  /** One sample per method called so far, by method name, buckets cumulative as the format wants. */
  samples(): HistogramSample[] {
    return [...this.rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([method, row]) => {
        let running = 0;
        const buckets = this.bounds.map((le, i) => ({ le, count: (running += row.counts[i]!) }));
        return { labels: { method }, buckets, count: row.count, sum: row.sum };
      });
  }
}
