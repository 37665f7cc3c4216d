// Which fork server serves which shim (daemon/jobs/fork-server-command.ts): the Perl shim serves
// itself, also where no native binary was built; the native shim needs its binary.

import { describe, expect, it } from 'vitest';
import { forkServerCommand } from '../../../daemon/jobs/fork-server-command.js';

const perl = { kind: 'perl' as const, file: '/usr/bin/perl', args: ['/opt/procd/daemon/shim/procd-shim.pl'] };
const native = { kind: 'native' as const, file: '/opt/procd/dist/shim/procd-shim', args: [] };

describe('forkServerCommand', () => {
  it('runs the Perl shim as its own server (perl procd-shim.pl --serve), with or without a native binary', () => {
    for (const exists of [true, false]) {
      expect(forkServerCommand(perl, native.file, () => exists)).toEqual({ file: '/usr/bin/perl', args: ['/opt/procd/daemon/shim/procd-shim.pl', '--serve'] });
    }
  });

  it('runs the native shim under the native binary, and says why there is none when it was not built', () => {
    expect(forkServerCommand(native, native.file, () => true)).toEqual({ file: native.file, args: ['--serve', native.file] });
    expect(forkServerCommand(native, native.file, () => false)).toEqual({ none: `the fork server ${native.file} does not exist (no native shim built)` });
  });
});
