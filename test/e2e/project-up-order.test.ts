// `procd up` with the daemon enforcing `after` (issue 13's dependencies): a dependant starts only
// once what it waits for is met. up sends `after: ["PROJECT/NAME:COND"]` and tracks layer by layer
// (dependencies first), so the daemon resolves each name to the job up has just started.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpReport } from '../../client/cli/commands/up.js';
import { isTerminal } from '../../shared/job.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { jobStatus, parseJson } from './helpers/jobs.js';

let d: TestDaemon | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
});

describe('procd up runs entries in dependency order', () => {
  it('a dependant on `completed` starts after its dependency exited 0; one on `ready` after it became ready', async () => {
    d = await startTestDaemon();
    const dir = join(d.home, 'projects', 'shop');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'procd.yaml'),
      `name: shop
jobs:
  migrate:
    shell: "sleep 1; echo migrated"
  api:
    shell: "sleep 0.5; echo listening; exec sleep 412041"
    after: [migrate]
    ready_when: "output=listening"
  worker:
    command: [sleep, "412042"]
    after: ["api:ready"]
`,
    );
    const answer = parseJson<{ entries: UpReport[] }>(await d.cli(['up', '--json'], { cwd: dir }), 'up');
    const id = (entry: string) => answer.entries.find((e) => e.entry === entry)!.id!;
    const started = async (entry: string) =>
      waitFor(
        async () => {
          const s = (await jobStatus(d!, id(entry))).state;
          return 'startedAt' in s ? s.startedAt : null;
        },
        { what: `${entry} to start`, timeoutMs: 60_000 },
      );
    const migrate = await waitFor(
      async () => {
        const s = (await jobStatus(d!, id('migrate'))).state;
        return isTerminal(s) ? s : null;
      },
      { what: 'migrate to end', timeoutMs: 60_000 },
    );
    expect(migrate.kind).toBe('completed');
    expect(await started('api')).toBeGreaterThanOrEqual(migrate.endedAt);
    const ready = await waitFor(async () => (await jobStatus(d!, id('api'))).probes?.ready ?? null, { what: 'api to be ready', timeoutMs: 60_000 });
    expect(ready).toBeTruthy();
    expect(await started('worker')).toBeGreaterThanOrEqual(await started('api'));
  });
});
