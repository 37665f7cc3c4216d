import type { CommandDef } from '../command.js';
import { runPauseOrResume } from './pause-resume.js';

/** resume: continue paused jobs the way they were paused. Exit 1 when any job given could not be resumed. */
export const command: CommandDef = {
  run: (ctx) => runPauseOrResume(ctx, 'resume'),
};
