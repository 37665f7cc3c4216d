// The same fact reads the same everywhere: the `job.state` event of a timed-out job carries the
// kill record `status` shows (it used to carry the stop request before its sweep, `signalled: []`),
// and lastOutputAt is whole milliseconds like every other timestamp.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcdEvent } from '../../shared/events.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon;
beforeEach(async () => {
  d = await startTestDaemon({ env: { PROCD_GRACE: '300ms' } });
});
afterEach(async () => {
  await d?.cleanup();
});

describe('consistency', () => {
  it('a timed-out job’s job.state event carries the same kill record as status', async () => {
    const c = await d.client();
    const events: ProcdEvent[] = [];
    c.onNotification((_m, e) => events.push(e as ProcdEvent));
    await c.subscribe({ kinds: ['job.state'] });
    // The main process dies from SIGTERM; its child ignores it and needs SIGKILL after the grace.
    const job = await c.track({ argv: ['sh', '-c', '(trap "" TERM; echo child; exec sleep 1071) & exec sleep 1072'], cwd: d.home, timeoutMs: 2000 });
    const ended = await waitFor(() => events.find((e) => e.kind === 'job.state' && e.job.id === job.id && e.to === 'timed_out'), { what: 'the timed_out event', timeoutMs: 30_000 });
    if (ended.kind !== 'job.state' || ended.state.kind !== 'timed_out') throw new Error('not a timed_out state event');
    const status = await c.status({ job: job.id });
    if (status.state.kind !== 'timed_out') throw new Error(`status says ${status.state.kind}`);
    expect(ended.state.kill).toEqual(status.state.kill);
    expect(ended.state.kill.signalled.length).toBeGreaterThanOrEqual(2);
    expect(ended.state.kill.forced.length).toBeGreaterThanOrEqual(1);
    expect(ended.state.forced).toBe(true);
  });

  it('a killed job is written once as killed: its end already carries the kill record, kill adds no second copy', async () => {
    const c = await d.client();
    const job = await c.track({ argv: ['sleep', '1073'], cwd: d.home });
    const [killed] = await c.kill({ jobs: [job.id] });
    if (!killed?.ok) throw new Error('kill failed');
    expect(killed.state).toBe('killed');
    // kill answers after its records are durable: the journal holds every write of the job by now.
    const writes = readFileSync(join(d.home, 'journal.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { t: string; job?: { id: number; state: { kind: string; kill?: unknown } } })
      .filter((e) => e.t === 'job' && e.job?.id === job.id && e.job.state.kind === 'killed');
    expect(writes).toHaveLength(1);
    const status = await c.status({ job: job.id });
    if (status.state.kind !== 'killed') throw new Error(`status says ${status.state.kind}`);
    expect(writes[0]!.job!.state.kill).toEqual(status.state.kill);
    expect(status.state.kill?.signalled).toEqual(killed.signalled);
  });

  it('lastOutputAt is whole milliseconds', async () => {
    const c = await d.client();
    const job = await c.track({ argv: ['sh', '-c', 'echo out; echo err >&2'], cwd: d.home });
    const { jobs } = await c.wait({ jobs: [job.id] });
    const at = jobs[0]!.output.lastOutputAt;
    expect(at).not.toBeNull();
    expect(Number.isInteger(at)).toBe(true);
    expect(Number.isInteger((await c.status({ job: job.id })).output.lastOutputAt)).toBe(true);
  });
});
