// The daemon's own log: pino through a pino-roll worker transport (size-based rotation, a fixed
// number of files kept, files of earlier runs included). Flushed before the daemon exits.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  logDir: string;
  level?: string;
  /** Rotate the active file at this size (pino-roll units: '10m'). */
  size?: string;
  /** Rotated files to keep besides the active one. */
  keep?: number;
}

export function createLogger(opts: LoggerOptions): { logger: Logger; close: () => Promise<void> } {
  // pino-roll with symlink:true crashes when the directory is missing: create it first, private.
  mkdirSync(opts.logDir, { recursive: true, mode: 0o700 });
  const transport = pino.transport({
    target: 'pino-roll',
    options: {
      file: join(opts.logDir, 'daemon'),
      size: opts.size ?? '10m',
      mkdir: true,
      symlink: true,
      limit: { count: opts.keep ?? 5, removeOtherLogFiles: true },
    },
  });
  const logger = pino({ level: opts.level ?? process.env.PROCD_LOG_LEVEL ?? 'info', base: { pid: process.pid } }, transport);
  const close = () =>
    new Promise<void>((resolve) => {
      // Wait for the worker to write everything; give up after a few seconds rather than hang.
      const timer = setTimeout(resolve, 3000);
      transport.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      // end() only after the flush has been acknowledged: a flush request that reaches the worker
      // after its destination closed throws there ("SonicBoom destroyed") and kills the worker.
      logger.flush(() => transport.end());
    });
  return { logger, close };
}
