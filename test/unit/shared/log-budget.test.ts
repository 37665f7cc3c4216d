// The defaults an agent's logs tool reads with are valid `logs` params and say what they promise.

import { describe, expect, it } from 'vitest';
import { MCP_LOGS_DEFAULTS } from '../../../shared/log-budget.js';
import { METHOD_SCHEMAS } from '../../../shared/schemas/methods.js';
import { parseAt } from '../../../shared/schemas/valid.js';

describe('MCP_LOGS_DEFAULTS', () => {
  it('are logs params: the last 100 lines, collapsed, cut at 16 KiB', () => {
    const r = parseAt(METHOD_SCHEMAS.logs.params, { job: 1, ...MCP_LOGS_DEFAULTS }, 'params');
    expect(r).toEqual({ ok: true, value: { job: 1, tailLines: 100, lines: { maxBytes: 16384, collapse: true } } });
  });
});
