// Stand-ins for the daemon's logger and state store, for unit tests that drive the job table, the
// monitor or the supervisor in memory: nothing is logged, nothing is written.

import type { Logger } from '../../daemon/logger.js';
import type { StateStore } from '../../daemon/store/state-store.js';

const quiet = () => undefined;

export const silentLogger = { info: quiet, warn: quiet, error: quiet, debug: quiet, trace: quiet, fatal: quiet, child: () => silentLogger } as unknown as Logger;

export const memoryStore = { saveJob: quiet, removeJob: quiet, saveNextId: quiet, flush: async () => undefined } as unknown as StateStore;
