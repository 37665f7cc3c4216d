// `procd events --kind sample` asks for samples: it must get them without also saying --samples.

import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcdEvent } from '../../shared/events.js';
import { CLI, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { waitFor } from '../helpers/wait-for.js';

let d: TestDaemon | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await d?.cleanup();
  d = undefined;
});

describe('events --kind sample', () => {
  it('implies --samples', async () => {
    d = await startTestDaemon({ env: { PROCD_SAMPLE_INTERVAL: '200ms' } });
    const id = Number((await d.cli(['track', '--', 'sleep', '100'])).stdout.trim());
    child = spawn(process.execPath, [CLI, 'events', '--json', '--kind', 'sample'], { env: d.env, cwd: d.home, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout!.setEncoding('utf8').on('data', (t: string) => (text += t));
    const events = () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ProcdEvent);
    await waitFor(() => events().length > 0, { what: 'a sample event' });
    expect(events().every((e) => e.kind === 'sample')).toBe(true);
    expect(events()[0]).toMatchObject({ kind: 'sample', job: { id } });
  });
});
