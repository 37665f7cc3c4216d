import type { CommandDef } from '../command.js';
import { runPauseOrResume } from './pause-resume.js';

/** pause: stop whole jobs in place (cgroup freeze, else SIGSTOP to each process once). Exit 1 when any job given could not be paused. */
export const command: CommandDef = {
  run: (ctx) => runPauseOrResume(ctx, 'pause'),
};
