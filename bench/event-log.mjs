#!/usr/bin/env node
// What the durable replay buffer costs the event bus (not part of the test suite; run after
// `npm run build`): `node bench/event-log.mjs [EVENTS] [ROUNDS]`. Publishes EVENTS job.state
// events (~330 B of JSON each) to one subscriber whose socket is a no-op, once with the real
// EventLog (seq reservation, a write(2) per event before it is sent, rotation every 10,000) and
// once with an in-memory stand-in of the same interface, alternating, and prints the medians;
// then the heap the buffer holds when full (2 × 10,000 events).

import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../dist/daemon/events/', import.meta.url);
const { EventBus } = await import(new URL('event-bus.js', dist).href);
const { EventLog } = await import(new URL('event-log.js', dist).href);
const N = Number(process.argv[2] ?? 50_000);
const ROUNDS = Number(process.argv[3] ?? 5);

const job = { id: 7, name: 'web-server', tags: ['dev', 'frontend'], state: 'running' };
const state = { kind: 'running', startedAt: 1767225600012, pid: 41235, startTicks: 9123456, shimPid: 41234 };
const logger = { warn() {}, error() {}, info() {} };
const conn = { connectionId: 1, closed: new Promise(() => {}), isClosed: () => false, notify: (_m, p) => JSON.stringify(p).length > 0, pendingBytes: () => 0, endGracefully() {} };

/** The same interface, nothing kept on disk: what publishing cost before the buffer was durable. */
class MemoryLog {
  lastSeq = 0;
  kept = [];
  nextSeq() {
    return ++this.lastSeq;
  }
  append(seq, line) {
    this.kept.push({ seq, line });
    if (this.kept.length > 20_000) this.kept.splice(0, 10_000);
  }
  state() {
    return { lastSeq: this.lastSeq, firstAvailable: 1, lost: [] };
  }
  entries() {
    return this.kept;
  }
  close() {}
}

function round(durable) {
  const dir = mkdtempSync(join(tmpdir(), 'procd-evbench-'));
  const log = durable ? new EventLog(dir) : new MemoryLog();
  const bus = new EventBus(new EventEmitter(), new EventEmitter(), logger, log);
  bus.subscribe(conn, {});
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) bus.publish({ kind: 'job.state', job, from: 'starting', to: 'running', state });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  bus.close();
  rmSync(dir, { recursive: true, force: true });
  return (ms * 1000) / N;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
round(true);
round(false); // warm up
const mem = [];
const disk = [];
for (let r = 0; r < ROUNDS; r++) {
  mem.push(round(false));
  disk.push(round(true));
}
const show = (us) => `${us.toFixed(1)} µs/event (${Math.round(1e6 / us)} events/s)`;
console.log(`in memory: ${show(median(mem))}; durable: ${show(median(disk))}; +${(median(disk) - median(mem)).toFixed(1)} µs per kept event (${N} events, median of ${ROUNDS})`);

if (global.gc) {
  const dir = mkdtempSync(join(tmpdir(), 'procd-evbench-'));
  const log = new EventLog(dir, { syncEveryMs: 0 });
  global.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 19_999; i++) {
    const seq = log.nextSeq();
    log.append(seq, JSON.stringify({ seq, at: Date.now(), kind: 'job.state', job, from: 'starting', to: 'running', state }));
  }
  global.gc();
  console.log(`a full buffer (${log.entries().length} events) holds +${((process.memoryUsage().heapUsed - before) / 1048576).toFixed(1)} MiB of heap`);
  log.close();
  rmSync(dir, { recursive: true, force: true });
} else {
  console.log('(run with node --expose-gc for the heap figure)');
}
