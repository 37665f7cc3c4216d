import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCondition } from '../../../shared/condition-parser.js';
import { PROBE_CONDITIONS, type ProbeCondition } from '../../../shared/conditions.js';
import { createCheck } from '../../../daemon/probes/checks/index.js';
import { Servers, target } from './target.js';

const servers = new Servers();
afterEach(() => servers.closeAll());

describe('createCheck', () => {
  it('gives the checker of each probe condition kind, parsed as a user writes it', async () => {
    const port = await servers.freePort();
    const texts: Record<(typeof PROBE_CONDITIONS)[number], string> = {
      output: 'output=never printed',
      listen: `listen=${port}`,
      tcp: `tcp=${port}`,
      http: `http=http://127.0.0.1:${port}/`,
      exec: 'exec=echo "from exec"; exit 4',
    };
    const dir = mkdtempSync(join(tmpdir(), 'procd-probe-')); // an empty run dir: no output yet
    const details: Record<string, string> = {};
    for (const kind of PROBE_CONDITIONS) {
      const check = createCheck(parseCondition(texts[kind]) as ProbeCondition, target({ pids: [process.pid], dir }));
      const r = await check.run(10_000);
      check.close();
      expect(r.ok).toBe(false);
      details[kind] = r.detail;
    }
    rmSync(dir, { recursive: true, force: true });
    expect(details).toEqual({
      output: 'no line matched /never printed/ (0 new lines)',
      listen: expect.stringMatching(new RegExp(`^not listening on ${port}`)),
      tcp: `ECONNREFUSED 127.0.0.1:${port}`,
      http: `ECONNREFUSED 127.0.0.1:${port}`,
      exec: 'exit 4: from exec',
    });
  });
});
