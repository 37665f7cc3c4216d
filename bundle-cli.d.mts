// Types of bundle-cli.mjs for the tests that import it.
import type { BuildResult } from 'esbuild';

export function bundleCli(options?: { write?: boolean }): Promise<BuildResult<{ metafile: true }>>;
