// The library's events are typed and convenient: `onEvent` with an unsubscribe, an async
// iterator, `subscribe({ jobs })` by name, the event types exported from the package entry; and
// `track` without `cwd` runs in the caller's directory.

import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { connect, type EventOf, type ProcdClient, type ProcdEvent } from '../../client/index.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
const clients: ProcdClient[] = [];
const dirs: string[] = [];
const startCwd = process.cwd();
afterEach(async () => {
  process.chdir(startCwd);
  for (const c of clients.splice(0)) c.close();
  await d?.cleanup();
  d = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function client(): Promise<ProcdClient> {
  const c = await connect({ paths: d!.paths, autostart: false });
  clients.push(c);
  return c;
}

describe('library events', () => {
  it('onEvent gives typed events and returns a function that stops them', async () => {
    d = await startTestDaemon();
    const c = await client();
    const kept: ProcdEvent[] = [];
    const stopped: ProcdEvent[] = [];
    c.onEvent((e) => kept.push(e));
    const off = c.onEvent((e) => stopped.push(e));
    expect(typeof off).toBe('function');
    await c.subscribe({});
    const first = await c.track({ argv: ['true'], name: 'one' });
    await waitFor(() => stopped.some((e) => e.kind === 'job.state' && e.job.id === first.id && e.to === 'completed'), { what: 'job one to complete' });
    off();
    const before = stopped.length;
    const second = await c.track({ argv: ['true'], name: 'two' });
    await waitFor(() => kept.some((e) => e.kind === 'job.state' && e.job.id === second.id && e.to === 'completed'), { what: 'job two to complete' });
    expect(stopped.length).toBe(before);
    const done = kept.find((e): e is EventOf<'job.state'> => e.kind === 'job.state' && e.to === 'completed')!;
    expectTypeOf(off).toEqualTypeOf<() => void>();
    expectTypeOf(done.to).toEqualTypeOf<EventOf<'job.state'>['state']['kind']>();
    expect(done.state).toMatchObject({ kind: 'completed', exitCode: 0 });
  });

  it('events({ jobs: [name] }) is an async iterator over that job only, resolved by name, ended by a break', async () => {
    d = await startTestDaemon();
    const c = await client();
    const web = await c.track({ argv: ['sh', '-c', 'sleep 0.3'], name: 'web' });
    await c.track({ argv: ['sh', '-c', 'sleep 0.3'], name: 'other' });
    const seen: string[] = [];
    for await (const e of c.events({ jobs: ['web'], kinds: ['job.state'] })) {
      if (e.kind !== 'job.state') throw new Error(`unexpected ${e.kind}`);
      expect(e.job.id).toBe(web.id);
      seen.push(e.to);
      if (e.state.kind === 'completed') break;
    }
    expect(seen.at(-1)).toBe('completed');
    // the raw call answers with the ids the names resolved to
    expect(await c.subscribe({ jobs: ['web', 2] })).toMatchObject({ subscribed: true, jobs: [web.id, 2] });
    await expect(c.subscribe({ jobs: ['nope'] })).rejects.toMatchObject({ codeName: 'JobNotFound' });
  });

  it('without reconnect, events() ends when the daemon stops, also when created after it stopped', async () => {
    d = await startTestDaemon();
    const c = await client();
    const live: ProcdEvent[] = [];
    const following = (async () => {
      for await (const e of c.events()) live.push(e);
    })();
    await waitFor(async () => (await c.daemonStatus()).events.subscribers === 1, { what: 'the subscription' });
    const closed = new Promise<Error | null>((resolve) => c.onClose(resolve));
    expect((await d.cli(['daemon', 'stop'])).code).toBe(0);
    await following;
    expect(live.map((e) => e.kind)).toEqual(['daemon.shutdown']);
    expect(await closed).toBeNull();
    const late: ProcdEvent[] = [];
    for await (const e of c.events()) late.push(e);
    expect(late).toEqual([]);
  });

  it('track without cwd runs the job in the caller’s current directory', async () => {
    d = await startTestDaemon();
    const c = await client();
    const here = realpathSync(mkdtempSync(join(tmpdir(), 'procd-cwd-')));
    dirs.push(here);
    process.chdir(here);
    const job = await c.track({ argv: ['pwd'] });
    expect(job.spec.cwd).toBe(here);
    await c.wait({ jobs: [job.id] });
    const logs = await c.logs({ job: job.id });
    expect(Buffer.concat(logs.chunks.map((ch) => Buffer.from(ch.data, 'base64'))).toString()).toBe(`${here}\n`);
  });
});
