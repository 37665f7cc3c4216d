// The daemon's log when its file refuses writes (a file-size limit here, a full disk in life):
// the daemon must not crash or spin; it says so once on stderr and stops logging to the file.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const LOGGER = resolve(import.meta.dirname, '../../../dist/daemon/logger.js');
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('daemon log at a write error', () => {
  it.skipIf(!existsSync('/usr/bin/prlimit'))('keeps the process alive, marks the log unhealthy and says so once on stderr', () => {
    dir = mkdtempSync(join(tmpdir(), 'procd-log-'));
    const script = `
      process.on('SIGXFSZ', () => {}); // as the daemon's shim does: a size limit becomes EFBIG, not death
      let uncaught = 0;
      process.on('uncaughtException', () => uncaught++);
      const { createLogger } = await import(${JSON.stringify(LOGGER)});
      const log = await createLogger({ logDir: ${JSON.stringify(dir)} });
      for (let i = 0; i < 2000; i++) log.logger.info({ i, pad: 'x'.repeat(100) }, 'line');
      // the writes are asynchronous: wait (with a deadline) for the file to refuse one
      const deadline = Date.now() + 20000;
      while (log.healthy() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      for (let i = 0; i < 100; i++) log.logger.error('after the failure');
      // close() ends once the stream is closed: every write above has been tried by then
      await log.close();
      console.log(JSON.stringify({ healthy: log.healthy(), uncaught }));`;
    const r = spawnSync('/usr/bin/prlimit', ['--fsize=20000', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    if (r.error) throw r.error;
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ healthy: false, uncaught: 0 });
    expect(r.stderr.match(/refused a write/g)).toHaveLength(1);
  });
});
