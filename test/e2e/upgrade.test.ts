// Upgrading the daemon: a client of a newer procd talking to an older daemon (another protocol
// version) says so plainly, and `procd daemon restart` replaces the daemon while its jobs keep
// running. The "other version" is this build copied with its protocol version and package
// version changed, run as a real daemon.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../client/index.js';
import { ErrorCode } from '../../shared/errors.js';
import type { Job } from '../../shared/job.js';
import { REPO, startTestDaemon, type TestDaemon } from './helpers/daemon.js';
import { daemonStatus, listJobs, parseJson } from './helpers/jobs.js';

let d: TestDaemon | undefined;
let other: string | undefined;
afterEach(async () => {
  await d?.cleanup();
  d = undefined;
  if (other) rmSync(other, { recursive: true, force: true });
  other = undefined;
});

/** A copy of the built procd that speaks protocol `protocol` and calls itself `version`. */
function otherBuild(protocol: number, version: string): string {
  // Inside the repo, so that the copy finds node_modules by walking up.
  mkdirSync(join(REPO, '.test-tmp'), { recursive: true });
  const dir = mkdtempSync(join(REPO, '.test-tmp', 'other-'));
  cpSync(join(REPO, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(REPO, 'daemon/shim'), join(dir, 'daemon/shim'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'procd', version, type: 'module' }));
  // The library carries it in dist/shared/methods.js, the daemon in its bundle, the bundled CLI in both its files (minified: `PROTOCOL_VERSION=1`).
  for (const file of ['dist/shared/methods.js', 'dist/daemon/procd-daemon.cjs', 'dist/client/cli/hot.js', 'dist/client/cli/cli.js']) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/PROTOCOL_VERSION ?= ?\d+\b/);
    writeFileSync(path, text.replace(/PROTOCOL_VERSION ?= ?\d+\b/, `PROTOCOL_VERSION = ${protocol}`));
  }
  return join(dir, 'dist/client/cli/main.js');
}

describe('upgrade across a protocol change', () => {
  it('a newer client refuses ordinary calls with advice, and `daemon restart` replaces the old daemon, keeping its jobs', async () => {
    const oldCli = otherBuild(0, '0.0.1-old');
    other = join(oldCli, '../../../..');
    d = await startTestDaemon({ autostartOnly: true });
    const run = (cli: string, args: string[]) => d!.cli(args, { cliPath: cli });
    expect((await run(oldCli, ['daemon', 'start'])).code).toBe(0);
    const job = parseJson<Job>(await run(oldCli, ['track', '--json', '--', 'sleep', '1051']), 'track --json (older build)');
    const pid = job.state.kind === 'running' ? job.state.pid : -1;
    expect(pid).toBeGreaterThan(0);

    const refused = await d.cli(['ls']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/speaks protocol 0 \(procd 0\.0\.1-old\).*procd daemon restart/);
    // Across versions the library sends only the methods the table marks stable.
    const lib = await connect({ paths: d.paths, autostart: false, allowProtocolMismatch: true });
    try {
      expect((await lib.daemonStatus()).protocolVersion).toBe(0);
      await expect(lib.list({})).rejects.toMatchObject({ code: ErrorCode.VersionMismatch, data: { method: 'list' } });
    } finally {
      lib.close();
    }

    const restarted = await d.cli(['daemon', 'restart']);
    expect(restarted.stderr).toBe('');
    expect(restarted.code).toBe(0);
    const jobs = await listJobs(d);
    expect(jobs.map((j) => [j.id, j.state.kind, j.state.kind === 'running' ? j.state.pid : null])).toEqual([[job.id, 'running', pid]]);
    const status = await daemonStatus(d);
    expect(status.version).not.toBe('0.0.1-old');
  });
});
