// The queue's methods' params and results (issue 13): groups and priorities, spread into
// METHOD_SCHEMAS (methods.ts) so it stays one table.

import * as v from 'valibot';
import { JobStateKindSchema } from './job.js';
import { groupName, jobRef, priority } from './method-fields.js';
import { bool, int, obj, opt } from './valid.js';

const ids = v.array(v.number());
const groupView = v.object({ name: v.string(), parallel: v.nullable(v.number()), paused: v.boolean(), running: v.number(), queued: v.number() });

export const QUEUE_METHOD_SCHEMAS = {
  'group.set': {
    params: obj({ name: groupName, parallel: opt(v.nullable(int({ min: 1, max: 1_000_000 }))), paused: opt(bool()) }),
    result: groupView,
    example: { params: { name: 'gpu', parallel: 2 }, result: { name: 'gpu', parallel: 2, paused: false, running: 2, queued: 3 } },
  },
  'group.rm': {
    params: obj({ name: groupName }),
    result: v.object({ name: v.string(), removed: v.literal(true) }),
    example: { params: { name: 'gpu' }, result: { name: 'gpu', removed: true } },
  },
  'group.ls': {
    params: obj({}),
    result: v.array(groupView),
    example: { params: {}, result: [{ name: 'default', parallel: null, paused: false, running: 4, queued: 0 }] },
  },
  priority: {
    params: obj({ job: jobRef, priority }),
    result: v.object({ id: v.number(), priority: v.number(), state: JobStateKindSchema, reniced: ids, error: v.optional(v.string()) }),
    example: { params: { job: 7, priority: 'high' }, result: { id: 7, priority: 10, state: 'queued', reniced: [] } },
  },
};
