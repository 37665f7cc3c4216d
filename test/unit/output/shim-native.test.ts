// The shim's contract tests again, against the native shim (daemon/shim/native/, compiled by
// `npm run build` into dist/shim/procd-shim): every test of shim.test.ts, shim-disk.test.ts,
// segments.test.ts and bulk.test.ts runs here with the C binary in place of the Perl script.
// Skipped, with the reason, only when the build had no C compiler.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nativeShimSkipReason } from './shim-harness.js';

const skip = nativeShimSkipReason();

if (skip === null) {
  // Read by shim-harness.ts when it is first loaded: the imports below come after this line.
  process.env.PROCD_TEST_SHIM = 'native';
  await import('./shim.test.js');
  await import('./shim-disk.test.js');
  await import('./segments.test.js');
  await import('./bulk.test.js');
  await import('./shim-cgroup.test.js');
}

describe('the native shim', () => {
  it.skipIf(skip !== null)(`--check prints one line: ok native <version> clock=monotonic${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const { NATIVE_SHIM } = await import('./shim-harness.js');
    const r = spawnSync(NATIVE_SHIM, ['--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok native [0-9]+\.[0-9]+\.[0-9]+ clock=monotonic\n$/);
  });
});
