// Types of bundle-cli.mjs for the tests that import it.
import type { Message, Metafile, OutputFile } from 'esbuild';

/** Both builds' (the bin's and the full CLI's) messages, files (with write: false) and metafiles merged. */
export interface CliBundle {
  errors: Message[];
  warnings: Message[];
  metafile: Metafile;
  outputFiles: OutputFile[];
}

export function bundleCli(options?: { write?: boolean }): Promise<CliBundle>;
