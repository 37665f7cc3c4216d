// Schemas of owners (shared/owner.ts): the record kept with each job, and the owner name the
// methods take (`track`, `adopt`, `list`, `kill`, `cleanup`).

import * as v from 'valibot';
import { OWNER_NAME_MAX, OWNER_NAME_PATTERN } from '../owner.js';
import { str } from './valid.js';

export const JobOwnerSchema = v.object({ name: v.string(), pid: v.nullable(v.number()), parentName: v.nullable(v.string()) });

/** An owner name as given: printable, 1–200 characters. */
export const ownerName = str({ min: 1, max: OWNER_NAME_MAX, pattern: OWNER_NAME_PATTERN, what: 'an owner name (printable characters)' });

/** A process name as a client reports it (`/proc/PID/comm`: at most 15 bytes on Linux; `ps -o comm=` elsewhere). */
export const processName = str({ max: 256 });
