// The disk-error contract tests against the native shim on its portable read/write path
// (PROCD_SHIM_NO_SPLICE=1; on Linux it splices pipe -> file by default): where a write fails
// the two paths differ most, and both must store, drop and count exactly the same bytes.

import { it } from 'vitest';
import { nativeShimSkipReason } from './shim-harness.js';

const skip = nativeShimSkipReason();

if (skip === null) {
  process.env.PROCD_TEST_SHIM = 'native';
  process.env.PROCD_SHIM_NO_SPLICE = '1'; // the harness passes its environment to the shim
  await import('./shim-disk.test.js');
} else {
  it.skip(`skipped: ${skip}`, () => {});
}
