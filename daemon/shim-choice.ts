// Which shim runs jobs: the native one (dist/shim/procd-shim, compiled at build time when a C
// compiler was present) when it exists and passes its `--check`, else the Perl script.
// PROCD_SHIM=native|perl|auto (default auto) forces one; a forced shim that fails its check is
// reported as failing (no silent fallback). The answer says why, for `daemon status` and the log.

import { readFileSync } from 'node:fs';
import { NATIVE_BUILD_FILE, NATIVE_SHIM_PATH, nativeShimCommand, perlShimCommand } from './jobs/shim-runner.js';
import { checkNativeShim, checkShim, type ShimCheck, type ShimVerdict } from './shim-check.js';

export type ShimMode = 'auto' | 'native' | 'perl';

export interface ShimChoiceDeps {
  nativePath: string;
  buildFile: string;
  checkPerl: () => Promise<ShimVerdict>;
  checkNative: (path: string) => Promise<ShimVerdict>;
}

const DEFAULT_DEPS: ShimChoiceDeps = {
  nativePath: NATIVE_SHIM_PATH,
  buildFile: NATIVE_BUILD_FILE,
  checkPerl: () => checkShim(),
  checkNative: (path) => checkNativeShim(path),
};

/** PROCD_SHIM's value, and a note when it is not one of the three. */
export function shimMode(value: string | undefined): { mode: ShimMode; note: string } {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'auto') return { mode: 'auto', note: 'PROCD_SHIM=auto' };
  if (v === 'native' || v === 'perl') return { mode: v, note: `PROCD_SHIM=${v}` };
  return { mode: 'auto', note: `PROCD_SHIM=${value} is not native, perl or auto: taken as auto` };
}

/** Why there is no native shim to try, from what build-shim.mjs recorded. */
export function whyNotBuilt(buildFile: string): string {
  try {
    const build = JSON.parse(readFileSync(buildFile, 'utf8')) as { built?: boolean; reason?: string | null };
    if (build.built === false && build.reason) return build.reason;
    return 'the native shim was built but is missing now';
  } catch {
    return 'the native shim was not built (no record of a build: run npm run build)';
  }
}

export async function chooseShim(env: NodeJS.ProcessEnv = process.env, deps: ShimChoiceDeps = DEFAULT_DEPS): Promise<ShimCheck> {
  const { mode, note } = shimMode(env.PROCD_SHIM);
  const perl = async (why: string): Promise<ShimCheck> => ({ ...(await deps.checkPerl()), why, command: perlShimCommand() });
  const native = async (verdict: ShimVerdict, why: string): Promise<ShimCheck> => ({ ...verdict, why, command: nativeShimCommand(deps.nativePath) });
  if (mode === 'perl') return perl(note);
  if (mode === 'native') return native(await deps.checkNative(deps.nativePath), note);
  const verdict = await deps.checkNative(deps.nativePath);
  if (verdict.ok) return native(verdict, `compiled at build time and passed its check; ${note}`);
  if (verdict.error?.endsWith('does not exist')) return perl(`${whyNotBuilt(deps.buildFile)}; ${note}`);
  return perl(`the native shim failed its check (${verdict.error}); ${note}`);
}
