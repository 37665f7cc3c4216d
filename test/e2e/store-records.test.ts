// A real daemon starting on stored records of the wrong shape: they are checked with the same Job
// schema as the wire model, set aside with a warning in `daemon status`, and the daemon starts.
// (A job whose flags held null used to stop the daemon at start with a TypeError in the monitor.)

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../shared/job.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

function record(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `j${id}`,
    createdAt: 1_000 + id,
    spec: { command: { kind: 'argv', argv: ['true'] }, cwd: '/', env: {}, timeoutMs: null, expectMs: null, stuckAfterMs: 0, maxOutputBytes: 4096 },
    state: { kind: 'completed', startedAt: 1, endedAt: 2, durationMs: 1, exitCode: 0, signal: null },
    dir: `/nonexistent/jobs/${id}`,
    ...extra,
  };
}

describe('stored records of the wrong shape', () => {
  it('are set aside with a warning and the daemon starts: flags [null], a wrong type, an unknown state kind', async () => {
    d = await startTestDaemon({ autostartOnly: true });
    const jobs = [
      record(1),
      record(2, { flags: [null] }),
      record(3, { createdAt: 'yesterday' }),
      record(4, { state: { kind: 'hibernating', since: 5 } }),
    ];
    writeFileSync(join(d.home, 'state.json'), JSON.stringify({ format: 1, savedAt: 0, journalSeq: 0, nextId: 5, jobs }));

    const start = await d.cli(['daemon', 'start']);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    const ls = JSON.parse((await d.cli(['ls', '--all', '--json'])).stdout) as Job[];
    expect(ls.map((j) => [j.id, j.name, j.state.kind, j.flags])).toEqual([[1, 'j1', 'completed', []]]);

    const { warnings } = JSON.parse((await d.cli(['daemon', 'status', '--json'])).stdout) as { warnings: string[] };
    const text = warnings.join('\n');
    expect(text).toMatch(/skipped 3 record\(s\) of the wrong shape: state\.json job #1: flags\[0\] is not an object; state\.json job #2: createdAt is not a number; state\.json job #3: state\.kind "hibernating" is unknown/);
    expect(text).toMatch(/state\.json: 3 record\(s\) set aside; the file as found is kept as .*state\.json\.corrupt-\d+/);
    // The ids of the records set aside are not handed out again.
    const next = JSON.parse((await d.cli(['track', '--json', '--', 'true'])).stdout) as Job;
    expect(next.id).toBe(5);
  });
});
