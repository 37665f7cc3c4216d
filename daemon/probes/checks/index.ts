// The checker for each probe condition (one file per kind): the probe runner calls createCheck
// once per run of a job and keeps the checker until the run ends.

import type { CheckerFactory, ProbeCheck, ProbeTarget } from '../check.js';
import type { ProbeCondition } from '../../../shared/conditions.js';
import { createExecCheck } from './exec.js';
import { createHttpCheck } from './http.js';
import { createListenCheck } from './listen.js';
import { createOutputCheck } from './output.js';
import { createTcpCheck } from './tcp.js';

export const createCheck: CheckerFactory = (condition: ProbeCondition, target: ProbeTarget): ProbeCheck => {
  switch (condition.kind) {
    case 'output':
      return createOutputCheck(condition, target);
    case 'listen':
      return createListenCheck(condition, target);
    case 'tcp':
      return createTcpCheck(condition);
    case 'http':
      return createHttpCheck(condition);
    case 'exec':
      return createExecCheck(condition, target);
    default:
      return unreachable(condition);
  }
};

/** Compile-time exhaustiveness: a new probe condition kind fails to type-check here. */
function unreachable(condition: never): never {
  throw new Error(`no checker for condition ${JSON.stringify(condition)}`);
}
