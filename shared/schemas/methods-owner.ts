// track's params and result for owners and idempotent starts (`ensure`), spread into the track
// entry of methods.ts.

import * as v from 'valibot';
import { JobViewSchema } from './job.js';
import { ownerName } from './owner.js';

export { ownerName, processName } from './owner.js';
import { bool, opt } from './valid.js';

/** track's owner and idempotent-start params (spread into its params in methods.ts). */
export const TRACK_OWNER_PARAMS = {
  /** The job's owner (`ls --owner`, `kill --owner`, `cleanup --owner`); default: the client's name from hello. */
  owner: opt(ownerName),
  /**
   * Idempotent start: a live job with this name and the same spec (or, without a name, the same
   * command and cwd and the same spec) is answered (`reused: true`) instead of starting another;
   * a live one with a different spec is refused (SpecDiffers, the differing fields in the message
   * and `data.differences`) unless `replace`.
   */
  ensure: opt(bool()),
};

/** The job started, or with `ensure` the live one answered instead (`reused: true`). */
export const TrackResultSchema = v.object({ ...JobViewSchema.entries, reused: v.optional(v.boolean()) });
