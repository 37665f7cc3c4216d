// A job's timeline entry as a schema (shared/timeline.ts has the type and the kinds).

import * as v from 'valibot';
import { TIMELINE_KINDS } from '../timeline.js';

export const TimelineEntrySchema = v.object({
  at: v.number(),
  kind: v.picklist(TIMELINE_KINDS),
  run: v.number(),
  detail: v.string(),
  by: v.optional(v.string()),
});
