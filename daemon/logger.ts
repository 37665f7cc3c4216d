// The daemon's own log: pino writing through a pino-roll stream (size-based rotation, a fixed
// number of files kept, files of earlier runs included), on the main thread. A worker-thread
// transport would keep the event loop free of log writes, but it is a second V8 isolate (~20 MiB
// of the daemon's RSS) for a few lines a minute; SonicBoom already writes asynchronously.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import pinoRoll from 'pino-roll';

export type { Logger };

export interface LoggerOptions {
  logDir: string;
  level?: string;
  /** Rotate the active file at this size (pino-roll units: '10m'). */
  size?: string;
  /** Rotated files to keep besides the active one. */
  keep?: number;
}

export interface DaemonLog {
  logger: Logger;
  /** False once the log file refused a write (disk full, I/O error): report to stderr instead. */
  healthy(): boolean;
  close: () => Promise<void>;
}

export async function createLogger(opts: LoggerOptions): Promise<DaemonLog> {
  // pino-roll with symlink:true crashes when the directory is missing: create it first, private.
  mkdirSync(opts.logDir, { recursive: true, mode: 0o700 });
  const stream = await pinoRoll({
    file: join(opts.logDir, 'daemon'),
    size: opts.size ?? '10m',
    mkdir: true,
    symlink: true,
    limit: { count: opts.keep ?? 5, removeOtherLogFiles: true },
  });
  // An unhandled stream error would be thrown, and the daemon's uncaught-exception report would
  // log it through the same broken stream: say it once on stderr and stop logging to the file.
  let broken = false;
  stream.on('error', (err: Error) => {
    if (!broken) process.stderr.write(`procd: the daemon log ${opts.logDir} refused a write (${err.message}); logging to it stops\n`);
    broken = true;
    logger.level = 'silent';
  });
  const logger: Logger = pino({ level: opts.level ?? process.env.PROCD_LOG_LEVEL ?? 'info', base: { pid: process.pid } }, stream);
  const close = () =>
    new Promise<void>((resolve) => {
      // Everything buffered is written before the daemon exits; give up after a few seconds rather than hang.
      const timer = setTimeout(resolve, 3000);
      stream.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (broken) {
        // A stream that failed would retry its buffer forever (flushSync spins): drop it.
        stream.destroy();
        return;
      }
      try {
        stream.flushSync();
      } catch {
        // nothing buffered, or the disk refuses: end() still closes the file
      }
      stream.end();
    });
  return { logger, healthy: () => !broken, close };
}
